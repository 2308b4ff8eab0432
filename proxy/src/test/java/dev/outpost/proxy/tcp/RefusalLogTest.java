package dev.outpost.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One refusal line per window, and the next one tells how many went unlogged. */
class RefusalLogTest {
    static final long S = 1_000_000_000L;

    @Test
    void theFirstRefusalIsLoggedThoseInItsWindowAreCountedAndTheNextLineSaysHowMany() {
        RefusalLog log = new RefusalLog(Duration.ofSeconds(10), 0);

        assertThat(log.admit(0)).isZero();
        assertThat(log.admit(1 * S)).isEqualTo(-1);
        assertThat(log.admit(5 * S)).isEqualTo(-1);
        assertThat(log.admit(10 * S - 1)).isEqualTo(-1);
        assertThat(log.admit(10 * S)).as("three went unlogged").isEqualTo(3);
        assertThat(log.admit(11 * S)).isEqualTo(-1);
        assertThat(log.admit(60 * S)).isEqualTo(1);
        assertThat(log.admit(120 * S)).isZero();
    }

    @Test
    void concurrentRefusalsGetExactlyOneLineAndTheRestAreCounted() throws Exception {
        RefusalLog log = new RefusalLog(Duration.ofSeconds(10), 0);
        AtomicInteger lines = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        if (log.admit(S) >= 0) {
                            lines.incrementAndGet();
                        }
                    }
                });
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lines).hasValue(1);
        assertThat(log.admit(11 * S)).isEqualTo(7999);
    }
}
