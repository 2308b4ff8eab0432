package dev.outpost.server.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing the watch (the server stopping) ends blocking waits at once instead of after their wait. */
class IndexWatchCloseTest {
    @Test
    void closeWakesWaitersAndLaterWaitsReturnAtOnce() throws Exception {
        IndexWatch watch = new IndexWatch(5);
        CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return watch.await(5, Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.waiting() == 1);
        assertThat(waiting).isNotDone();
        assertThat(watch.closed()).isFalse();
        watch.close();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(watch.closed()).isTrue();
        assertThat(watch.await(5, Duration.ofMinutes(5))).isEqualTo(5);
    }
}
