package dev.outpost.core.region;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The known regions and the approximate round-trip times between them (DESIGN §10). The lab uses
 * the times to delay its WAN links; the skeleton's proxy orders remote regions by them until it
 * measures its own.
 */
public final class RegionCatalog {
    public record Region(String code, String name) {}

    public static final List<Region> REGIONS = List.of(
            new Region("iad", "Ashburn, Virginia (US)"),
            new Region("ams", "Amsterdam, Netherlands"),
            new Region("syd", "Sydney, Australia"),
            new Region("sin", "Singapore"),
            new Region("nrt", "Tokyo, Japan"),
            new Region("gru", "São Paulo, Brazil"),
            new Region("lax", "Los Angeles, California (US)"));

    private static final Map<String, Integer> RTT = Map.ofEntries(
            e("iad", "ams", 85), e("iad", "syd", 200), e("iad", "sin", 225), e("iad", "nrt", 150), e("iad", "gru", 120), e("iad", "lax", 65),
            e("ams", "syd", 275), e("ams", "sin", 160), e("ams", "nrt", 230), e("ams", "gru", 200), e("ams", "lax", 140),
            e("syd", "sin", 95), e("syd", "nrt", 110), e("syd", "gru", 310), e("syd", "lax", 140),
            e("sin", "nrt", 70), e("sin", "gru", 330), e("sin", "lax", 170),
            e("nrt", "gru", 260), e("nrt", "lax", 105),
            e("gru", "lax", 160));

    private RegionCatalog() {}

    public static Optional<Region> find(String code) {
        return REGIONS.stream().filter(r -> r.code().equals(code)).findFirst();
    }

    /** Round-trip time in ms between two known regions; 0 for a region and itself. */
    public static int rttMillis(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        Integer v = RTT.get(key(a, b));
        if (v == null) {
            throw new IllegalArgumentException("no round-trip time known between " + a + " and " + b);
        }
        return v;
    }

    private static Map.Entry<String, Integer> e(String a, String b, int ms) {
        return Map.entry(key(a, b), ms);
    }

    private static String key(String a, String b) {
        return a.compareTo(b) < 0 ? a + "-" + b : b + "-" + a;
    }
}
