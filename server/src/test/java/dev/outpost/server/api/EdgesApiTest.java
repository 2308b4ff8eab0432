package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.Json;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.EdgeList;
import dev.outpost.core.api.EdgeRegistration;
import dev.outpost.core.api.RegionRtt;
import dev.outpost.server.ServerFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/edges} over real HTTP: registration, heartbeats with measurements, the blocking list, the 400s and 404s. */
class EdgesApiTest {
    @TempDir
    Path dir;
    ServerFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void aRegisteredEdgeIsListedWithWhatItMeasured() throws Exception {
        HttpResponse<String> put = f.call("PUT", "/v1/edges/syd-edge",
                new EdgeRegistration("syd", "127.3.0.1:9101", Map.of("ams", new RegionRtt(11.5, true))));

        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        EdgeInfo stored = Json.mapper().readValue(put.body(), EdgeInfo.class);
        assertThat(stored.region()).isEqualTo("syd");
        assertThat(stored.lastSeen()).isNotNull();
        EdgeList list = Json.mapper().readValue(f.call("GET", "/v1/edges", null).body(), EdgeList.class);
        assertThat(list.edges()).extracting(EdgeInfo::id).containsExactly("syd-edge");
        assertThat(list.edges().getFirst().rtt()).containsEntry("ams", new RegionRtt(11.5, true));
        assertThat(list.index()).isPositive();
        EdgeInfo one = Json.mapper().readValue(f.call("GET", "/v1/edges/syd-edge", null).body(), EdgeInfo.class);
        assertThat(one.probeAddress()).isEqualTo("127.3.0.1:9101");
    }

    @Test
    void aBlockingListAnswersWhenANewEdgeRegistersButNotForAHeartbeat() throws Exception {
        f.call("PUT", "/v1/edges/iad-edge", new EdgeRegistration("iad", "127.1.0.1:9101", Map.of()));
        long index = Json.mapper().readValue(f.call("GET", "/v1/edges", null).body(), EdgeList.class).index();

        // A heartbeat with only new measurements: the blocking query runs its full (short) wait.
        f.call("PUT", "/v1/edges/iad-edge", new EdgeRegistration("iad", "127.1.0.1:9101", Map.of("ams", new RegionRtt(2, true))));
        EdgeList unchanged = Json.mapper().readValue(f.call("GET", "/v1/edges?index=" + index + "&wait=200ms", null).body(),
                EdgeList.class);
        assertThat(unchanged.index()).isEqualTo(index);

        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return f.call("GET", "/v1/edges?index=" + index + "&wait=20s", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        f.call("PUT", "/v1/edges/ams-edge", new EdgeRegistration("ams", "127.2.0.1:9101", Map.of()));
        EdgeList changed = Json.mapper().readValue(waiting.get().body(), EdgeList.class);
        assertThat(changed.index()).isGreaterThan(index);
        assertThat(changed.edges()).extracting(EdgeInfo::id).containsExactly("ams-edge", "iad-edge");
    }

    @Test
    void badRegistrationsAreRefusedSayingWhatIsWrong() throws Exception {
        HttpResponse<String> noRegion = f.call("PUT", "/v1/edges/e1", new EdgeRegistration("Sydney!", "127.3.0.1:9101", Map.of()));
        HttpResponse<String> noPort = f.call("PUT", "/v1/edges/e1", new EdgeRegistration("syd", "127.3.0.1", Map.of()));
        HttpResponse<String> badPort = f.call("PUT", "/v1/edges/e1", new EdgeRegistration("syd", "127.3.0.1:70000", Map.of()));
        HttpResponse<String> negative = f.call("PUT", "/v1/edges/e1",
                "{\"region\":\"syd\",\"probeAddress\":\"127.3.0.1:9101\",\"rtt\":{\"ams\":{\"millis\":-1,\"reachable\":true}}}");
        HttpResponse<String> badId = f.call("PUT", "/v1/edges/-bad", new EdgeRegistration("syd", "127.3.0.1:9101", Map.of()));
        HttpResponse<String> noBody = f.call("PUT", "/v1/edges/e1", null);

        assertThat(noRegion.statusCode()).isEqualTo(400);
        assertThat(noRegion.body()).contains("is not a region code");
        assertThat(noPort.statusCode()).isEqualTo(400);
        assertThat(noPort.body()).contains("must be HOST:PORT");
        assertThat(badPort.statusCode()).isEqualTo(400);
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("milliseconds >= 0");
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.body()).contains("edge id");
        assertThat(noBody.statusCode()).isEqualTo(400);
        assertThat(f.store.edges().list()).isEmpty();
    }

    @Test
    void anUnknownEdgeIsA404AndALeavingEdgeIsForgotten() throws Exception {
        assertThat(f.call("GET", "/v1/edges/nope", null).statusCode()).isEqualTo(404);
        assertThat(f.call("DELETE", "/v1/edges/nope", null).statusCode()).isEqualTo(404);

        f.call("PUT", "/v1/edges/iad-edge", new EdgeRegistration("iad", "127.1.0.1:9101", Map.of()));
        assertThat(f.call("DELETE", "/v1/edges/iad-edge", null).statusCode()).isEqualTo(204);
        assertThat(f.call("GET", "/v1/edges/iad-edge", null).statusCode()).isEqualTo(404);
    }

    @Test
    void edgesNeedAToken() throws Exception {
        assertThat(f.call("GET", "/v1/edges", null, null).statusCode()).isEqualTo(401);
    }
}
