package dev.outpost.agent.driver.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.model.VmSize;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContainerLimitsTest {
    private static final long MIB = 1024L * 1024L;

    @ParameterizedTest
    @CsvSource({
            "shared-1x,      16, 256,   1, 128",
            "shared-2x,      16, 512,   2, 256",
            "shared-8x,      2,  2048,  2, 1024",
            "performance-1x, 16, 2048,  1, 1024",
            "performance-4x, 2,  8192,  2, 4096",
    })
    void mapsASizeToMemoryAQuotaCappedAtTheHostAndAWeight(String size, int hostCpus, long memoryMb, long cpus, int shares) {
        ContainerLimits limits = ContainerLimits.of(VmSize.of(size), hostCpus);

        assertThat(limits.memoryBytes()).isEqualTo(memoryMb * MIB);
        assertThat(limits.nanoCpus()).isEqualTo(cpus * 1_000_000_000L);
        assertThat(limits.cpuShares()).isEqualTo(shares);
    }
}
