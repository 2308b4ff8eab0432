package dev.outpost.agent.driver.docker;

import dev.outpost.core.model.VmSize;

/**
 * The cgroup limits of a container of a {@link VmSize}. Memory is a hard limit with no swap on top.
 * CPUs are a quota ({@code nanoCpus}: at most N cores' time, never more than the host has) plus a
 * weight under contention ({@code cpuShares}): a dedicated CPU weighs 1024 (Docker's default), a
 * shared one an eighth of that, so shared instances burst when the host is idle and yield when it is not.
 */
public record ContainerLimits(long memoryBytes, long nanoCpus, int cpuShares) {
    private static final long MIB = 1024L * 1024L;
    private static final int DEDICATED_SHARES = 1024;
    private static final int SHARED_SHARES = DEDICATED_SHARES / 8;

    public static ContainerLimits of(VmSize size, int hostCpus) {
        int cpus = Math.min(size.cpus(), Math.max(1, hostCpus));
        int shares = size.cpus() * (size.shared() ? SHARED_SHARES : DEDICATED_SHARES);
        return new ContainerLimits(size.memoryMb() * MIB, cpus * 1_000_000_000L, shares);
    }
}
