package dev.outpost.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/** The leak check itself: a buffer dropped without release is reported (and taken, so this class still passes). */
class LeakCheckTest {
    @Test
    void aBufferNeverReleasedIsReported() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        assertThat(LeakCheck.reported()).as("nothing leaked before this test").isEmpty();

        leak();

        assertThat(LeakCheck.reported(50)).singleElement().asString().contains("LEAK").contains("leak-check self test");
    }

    private static void leak() {
        ByteBuf lost = ByteBufAllocator.DEFAULT.buffer(16);
        // A unique hint: the detector reports each distinct trace once per JVM.
        lost.touch("leak-check self test " + System.nanoTime());
        lost.writeInt(42);
    }
}
