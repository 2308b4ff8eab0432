package dev.outpost.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VmSizeTest {

    @Test
    void knowsThePresetsByName() {
        assertThat(VmSize.of("shared-1x")).isEqualTo(new VmSize("shared-1x", 1, true, 256));
        assertThat(VmSize.of("performance-2x")).isEqualTo(new VmSize("performance-2x", 2, false, 4096));
        assertThat(VmSize.named("shared-3x")).isEmpty();
    }

    @Test
    void anUnknownSizeIsAnErrorListingTheKnownOnes() {
        assertThatThrownBy(() -> VmSize.of("huge-9x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vm size \"huge-9x\" is unknown")
                .hasMessageContaining("[vm] size")
                .hasMessageContaining("shared-1x, shared-2x");
    }
}
