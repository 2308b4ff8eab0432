package dev.outpost.server.meter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.VmSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * USD per second of run time for each VM size. The defaults follow Fly's list prices (shared-1x about
 * $1.94 a month, each size twice the one before within its kind).
 */
public record Prices(Map<String, Double> usdPerSecond) {
    /** Seconds in the 30-day month that "per month" prices mean. */
    public static final double SECONDS_PER_MONTH = 30 * 24 * 3600;

    public Prices {
        usdPerSecond = Map.copyOf(usdPerSecond);
        usdPerSecond.forEach((size, price) -> {
            if (price == null || !(price >= 0) || price.isInfinite()) {
                throw new IllegalArgumentException("price of vm size " + size + " is " + price + ": give a number >= 0 (USD)");
            }
        });
    }

    /** Fly-like list prices for every preset. */
    public static Prices defaults() {
        Map<String, Double> perMonth = Map.of(
                "shared-1x", 1.94, "shared-2x", 3.88, "shared-4x", 7.76, "shared-8x", 15.52,
                "performance-1x", 31.0, "performance-2x", 62.0, "performance-4x", 124.0, "performance-8x", 248.0);
        Map<String, Double> perSecond = new TreeMap<>();
        perMonth.forEach((size, usd) -> perSecond.put(size, usd / SECONDS_PER_MONTH));
        return new Prices(perSecond);
    }

    /**
     * Reads a price list: TOML ({@code .toml}) or JSON, either {@code size = usd_per_second} at the top
     * or in a table {@code [per_second]} / {@code [per_month]} (30-day months).
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static Prices read(Path file) {
        JsonNode root;
        try {
            ObjectMapper mapper = file.getFileName().toString().endsWith(".toml") ? new TomlMapper() : new ObjectMapper();
            root = mapper.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read price list " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("price list " + file + " is not a table of vm size -> USD per second");
        }
        Map<String, Double> perSecond = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("per_second") || e.getKey().equals("per_month")) {
                double divisor = e.getKey().equals("per_month") ? SECONDS_PER_MONTH : 1;
                for (Iterator<Map.Entry<String, JsonNode>> sizes = e.getValue().fields(); sizes.hasNext(); ) {
                    Map.Entry<String, JsonNode> s = sizes.next();
                    perSecond.put(s.getKey(), number(file, e.getKey() + "." + s.getKey(), s.getValue()) / divisor);
                }
            } else {
                perSecond.put(e.getKey(), number(file, e.getKey(), e.getValue()));
            }
        }
        return new Prices(perSecond);
    }

    /** USD per second of {@code size}. @throws IllegalArgumentException when the list has no price for it */
    public double perSecond(String size) {
        Double price = usdPerSecond.get(size);
        if (price == null) {
            throw new IllegalArgumentException("the price list has no price for vm size " + size
                    + ": add it (outpost server --prices FILE), it has " + String.join(", ", new TreeMap<>(usdPerSecond).keySet()));
        }
        return price;
    }

    /** Fails naming the first of {@code sizes} that has no price. */
    public void requirePriced(Collection<String> sizes) {
        sizes.forEach(this::perSecond);
    }

    /** Whether the list has a price for {@code size}. */
    public boolean has(String size) {
        return usdPerSecond.containsKey(size);
    }

    /** The sizes this list prices, sorted. */
    public String sizes() {
        return String.join(", ", new TreeMap<>(usdPerSecond).keySet());
    }

    /** The VM size {@code config} runs ({@code [vm] size}, {@code shared-1x} when it says none). */
    public static String sizeOf(AppConfig config) {
        return config == null || config.vm() == null || config.vm().size() == null ? AppConfig.Vm.DEFAULT.size() : config.vm().size();
    }

    private static double number(Path file, String key, JsonNode value) {
        if (!value.isNumber() || value.asDouble() < 0) {
            throw new IllegalArgumentException("price list " + file + ": " + key + " = " + value
                    + " is not a price (a number >= 0, USD); vm sizes are " + VmSize.names());
        }
        return value.asDouble();
    }
}
