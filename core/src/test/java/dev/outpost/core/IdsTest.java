package dev.outpost.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void requestIdsHaveTheLengthAndAlphabetAskedForAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String id = Ids.requestId(20);
            assertThat(id).hasSize(20).matches("[0-9a-z]+");
            seen.add(id);
        }
        assertThat(seen).hasSize(20_000);
    }

    @Test
    void tokensAreLongHexBehindTheirPrefix() {
        assertThat(Ids.token()).matches("op_[0-9a-f]{64}").isNotEqualTo(Ids.token());
    }
}
