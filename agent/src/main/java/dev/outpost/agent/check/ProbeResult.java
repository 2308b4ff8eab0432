package dev.outpost.agent.check;

/** One outcome of a probe: passing or not, and what was seen ({@code "GET /healthz → 500"}, {@code "connect refused"}). */
public record ProbeResult(boolean passing, String detail) {
    public static ProbeResult pass(String detail) {
        return new ProbeResult(true, detail);
    }

    public static ProbeResult fail(String detail) {
        return new ProbeResult(false, detail);
    }
}
