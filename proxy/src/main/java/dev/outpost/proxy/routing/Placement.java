package dev.outpost.proxy.routing;

/**
 * Where a request asked to be served (DESIGN §5): anywhere (the usual order), a preferred region
 * first ({@code Outpost-Prefer-Region}), only one region ({@code Outpost-Force-Region}, or an
 * {@code Outpost-Replay: region=}), or only one instance ({@code Outpost-Force-Instance},
 * {@code Outpost-Replay: instance=}).
 *
 * @param value the region code or instance id; empty for {@link Kind#ANY}
 */
public record Placement(Kind kind, String value) {
    public enum Kind { ANY, PREFER_REGION, FORCE_REGION, FORCE_INSTANCE }

    public static final Placement ANY = new Placement(Kind.ANY, "");

    public Placement {
        if (kind == null || value == null || (kind != Kind.ANY && value.isBlank())) {
            throw new IllegalArgumentException("a placement needs a kind and, unless ANY, a region or instance, got "
                    + kind + " " + value);
        }
    }

    public static Placement preferRegion(String region) {
        return new Placement(Kind.PREFER_REGION, region);
    }

    public static Placement forceRegion(String region) {
        return new Placement(Kind.FORCE_REGION, region);
    }

    public static Placement forceInstance(String instanceId) {
        return new Placement(Kind.FORCE_INSTANCE, instanceId);
    }

    /** How errors name it: {@code region ams}, {@code instance 3f9k2x7q1m0a}. */
    public String describe() {
        return switch (kind) {
            case ANY -> "any region";
            case PREFER_REGION, FORCE_REGION -> "region " + value;
            case FORCE_INSTANCE -> "instance " + value;
        };
    }
}
