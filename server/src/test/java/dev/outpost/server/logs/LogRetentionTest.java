package dev.outpost.server.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.api.LogBatch;
import dev.outpost.store.LogQuery;
import dev.outpost.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRetentionTest {
    static final Instant NOW = Instant.parse("2025-03-08T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void deletesLinesOlderThanTheRetentionAtStartAndOnEveryRound() {
        try (Store store = Store.open(dir.resolve("outpost.db").toString());
             LogRetention retention = new LogRetention(store.logs(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(7),
                     Duration.ofMillis(50))) {
            store.logs().append(List.of(
                    new LogBatch.Line("i1", "web", "iad", NOW.minus(Duration.ofDays(8)), "too old", "s:1"),
                    new LogBatch.Line("i1", "web", "iad", NOW.minus(Duration.ofDays(6)), "kept", "s:2")));

            retention.start();

            await().atMost(Duration.ofSeconds(5)).until(() -> lines(store).equals(List.of("kept")));
            // a later round finds what arrived old meanwhile
            store.logs().append(List.of(new LogBatch.Line("i2", "web", "iad", NOW.minus(Duration.ofDays(30)), "late", "t:1")));
            await().atMost(Duration.ofSeconds(5)).until(() -> lines(store).equals(List.of("kept")));
            assertThat(retention.prune()).isZero();
        }
    }

    private static List<String> lines(Store store) {
        return store.logs().query(new LogQuery("web", null, null, null, null, null, 100)).lines().stream()
                .map(dev.outpost.core.api.LogLine::line).toList();
    }
}
