package dev.outpost.core.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The /24 of IPv4 addresses an edge serves apps' dedicated addresses from: offset {@code n} (1..254,
 * from the routing table) is the block's {@code n}-th address. In dev, region {@code i}'s block is
 * {@code 127.i.2.0} (DESIGN §9).
 */
public record DedicatedBlock(int a, int b, int c) {
    private static final Pattern BLOCK = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.0");

    public DedicatedBlock {
        for (int octet : new int[] {a, b, c}) {
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("dedicated block octet " + octet + " is out of range (0-255)");
            }
        }
    }

    /** Reads {@code 127.1.2.0}; anything else is refused with what was expected. */
    public static DedicatedBlock parse(String block) {
        Matcher m = block == null ? null : BLOCK.matcher(block.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("dedicated block \"" + block + "\" is not the first address of an IPv4 /24 "
                    + "such as 127.1.2.0");
        }
        return new DedicatedBlock(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** The address of {@code offset} (1..254) in this block, e.g. {@code 127.1.2.5}. */
    public String address(int offset) {
        if (offset < 1 || offset > 254) {
            throw new IllegalArgumentException("dedicated address offset " + offset + " is out of range (1-254)");
        }
        return a + "." + b + "." + c + "." + offset;
    }

    @Override
    public String toString() {
        return a + "." + b + "." + c + ".0/24";
    }
}
