package dev.outpost.store;

import static dev.outpost.store.TestRecords.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.RegionRtt;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Edges}' contract, run against each dialect by a subclass that says where a fresh database is. */
abstract class EdgesTest {
    protected Store store;
    private Edges edges;

    protected abstract String freshUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = Store.open(freshUrl());
        edges = store.edges();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aNewEdgeIsStoredWithItsMeasurementsAndBumpsTheIndex() {
        long before = store.index();
        EdgeInfo stored = edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101",
                Map.of("ams", new RegionRtt(12.5, true), "iad", new RegionRtt(80, false)), at(0)));

        assertThat(store.index()).isGreaterThan(before);
        assertThat(stored.rtt()).containsEntry("ams", new RegionRtt(12.5, true)).containsEntry("iad", new RegionRtt(80, false));
        assertThat(edges.find("syd-edge")).contains(stored);
        assertThat(edges.list()).containsExactly(stored);
    }

    @Test
    void aHeartbeatWithNewMeasurementsOnlyDoesNotBumpTheIndex() {
        edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101", Map.of(), at(0)));
        long before = store.index();

        EdgeInfo refreshed = edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101",
                Map.of("ams", new RegionRtt(3, true)), at(10)));

        assertThat(store.index()).isEqualTo(before);
        assertThat(refreshed.lastSeen()).isEqualTo(at(10));
        assertThat(refreshed.rtt()).containsOnlyKeys("ams");
    }

    @Test
    void edgesUnseenSinceTheCutoffAreDeletedAndTheIndexBumpedOnlyWhenOneWent() {
        edges.upsert(new EdgeInfo("ams-edge", "ams", "127.2.0.1:9101", Map.of(), at(0)));
        edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101", Map.of(), at(50)));
        long before = store.index();

        assertThat(edges.deleteUnseenSince(at(10))).containsExactly("ams-edge");

        assertThat(store.index()).isGreaterThan(before);
        assertThat(edges.list()).extracting(EdgeInfo::id).containsExactly("syd-edge");
        long after = store.index();
        assertThat(edges.deleteUnseenSince(at(50))).isEmpty();
        assertThat(store.index()).isEqualTo(after);
    }

    @Test
    void theDedicatedBlockIsStoredAndANewOneBumpsTheIndex() {
        edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101", Map.of(), at(0)));
        assertThat(edges.find("syd-edge").orElseThrow().dedicatedBlock()).isNull();
        long before = store.index();

        edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101", Map.of(), at(10), "127.3.2.0"));

        assertThat(store.index()).isGreaterThan(before);
        assertThat(edges.find("syd-edge").orElseThrow().dedicatedBlock()).isEqualTo("127.3.2.0");
        long after = store.index();
        edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101", Map.of(), at(20), "127.3.2.0"));
        assertThat(store.index()).as("the same block again is a plain heartbeat").isEqualTo(after);
    }

    @Test
    void aNewProbeAddressBumpsTheIndex() {
        edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101", Map.of(), at(0)));
        long before = store.index();

        edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9202", Map.of(), at(10)));

        assertThat(store.index()).isGreaterThan(before);
        assertThat(edges.find("syd-edge").orElseThrow().probeAddress()).isEqualTo("127.3.0.1:9202");
    }

    @Test
    void deleteForgetsTheEdgeOnce() {
        edges.upsert(new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101", Map.of(), at(0)));

        assertThat(edges.delete("syd-edge")).isTrue();
        assertThat(edges.delete("syd-edge")).isFalse();
        assertThat(edges.find("syd-edge")).isEmpty();
    }
}
