package dev.outpost.core.model;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A machine size, as {@code [vm] size} names it: how many CPUs, whether they are shared with other
 * instances or dedicated, and how much memory. The presets follow Fly's: {@code shared-Nx} gets N
 * CPUs it may burst on but yields under contention, {@code performance-Nx} gets N CPUs at full weight.
 */
public record VmSize(String name, int cpus, boolean shared, long memoryMb) {

    /** Every size there is, smallest first within each kind. */
    public static final List<VmSize> PRESETS = List.of(
            new VmSize("shared-1x", 1, true, 256),
            new VmSize("shared-2x", 2, true, 512),
            new VmSize("shared-4x", 4, true, 1024),
            new VmSize("shared-8x", 8, true, 2048),
            new VmSize("performance-1x", 1, false, 2048),
            new VmSize("performance-2x", 2, false, 4096),
            new VmSize("performance-4x", 4, false, 8192),
            new VmSize("performance-8x", 8, false, 16384));

    public VmSize {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("vm size name is missing");
        }
        if (cpus < 1 || memoryMb < 1) {
            throw new IllegalArgumentException("vm size " + name + " needs at least 1 CPU and 1 MB, got " + cpus
                    + " CPUs and " + memoryMb + " MB");
        }
    }

    /** The preset called {@code name}, if there is one. */
    public static Optional<VmSize> named(String name) {
        return PRESETS.stream().filter(s -> s.name.equals(name)).findFirst();
    }

    /** The preset called {@code name}; an unknown name is an error that lists the known ones. */
    public static VmSize of(String name) {
        return named(name).orElseThrow(() -> new IllegalArgumentException("vm size \"" + name
                + "\" is unknown: set [vm] size in outpost.toml to one of " + names()));
    }

    /** The preset names, comma-separated, for messages. */
    public static String names() {
        return PRESETS.stream().map(VmSize::name).collect(Collectors.joining(", "));
    }
}
