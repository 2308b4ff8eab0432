package dev.outpost.server.edges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.RegionRtt;
import dev.outpost.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeExpiryTest {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void forgetsEdgesThatMissedHeartbeatsForLongerThanTheExpiryAndKeepsLiveOnes() {
        try (Store store = Store.open(dir.resolve("outpost.db").toString());
             EdgeExpiry expiry = new EdgeExpiry(store.edges(), Clock.fixed(NOW, ZoneOffset.UTC), EdgeExpiry.DEFAULT_AFTER,
                     Duration.ofMillis(20))) {
            Map<String, RegionRtt> rtt = Map.of();
            store.edges().upsert(new EdgeInfo("ams-edge", "ams", "127.2.0.1:9101", rtt, NOW.minusSeconds(61)));
            store.edges().upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101", rtt, NOW.minusSeconds(59)));

            expiry.start();

            await().atMost(Duration.ofSeconds(5)).until(() -> store.edges().find("ams-edge").isEmpty());
            assertThat(store.edges().list()).extracting(EdgeInfo::id).containsExactly("syd-edge");
            assertThat(expiry.sweep()).isEmpty();
        }
    }
}
