package dev.outpost.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.core.region.RegionCatalog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's WAN end to end, through {@code bin/outpost}: {@code outpost dev --wan scaled} with
 * examples/hello in iad only; a user near syd ({@code outpost lab curl}) is served from iad and pays
 * the distance, the edges measure the distances the table gives (in its order), and
 * {@code outpost lab load} from ams sees at least the ams–iad round trip; {@code lab curl --to} from
 * syd reaches the iad instance itself, past the edges, across the WAN; each edge's {@code /metrics} (its
 * address in the banner) shows the requests and the peer round trips it measured.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WanLabTest {
    static final List<String> REGIONS = List.of("iad", "ams", "syd");
    static final String HOST = "hello.outpost.localhost";
    static final double SCALE = 0.1;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path home;
    DevLab lab;
    Path hello;
    String url;

    @BeforeAll
    void start() throws Exception {
        lab = new DevLab(home, REGIONS);
        lab.start("--wan", "scaled", "--driver", "process");
        hello = DevLab.copyHello(home, "hello");
        url = "http://" + HOST + ":" + lab.httpPort + "/";
    }

    @AfterAll
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void theBannerSaysHowFarApartTheRegionsAre() {
        assertThat(lab.devLog()).contains("WAN       scaled").contains("server in iad");
    }

    @Test
    @Order(2)
    void aUserNearSydIsServedFromIadAndPaysTheDistance() throws Exception {
        DevLab.Result launch = lab.cli(hello, "launch", "--region", "iad");
        assertThat(launch.exit()).as(launch.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            DevLab.Result r = lab.cli(home, "lab", "curl", "--from", "syd", "-sS", "--max-time", "10", "-w", "\n%{http_code} %{time_total}", url);
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).contains("hello from iad");
            String[] last = r.out().substring(r.out().lastIndexOf('\n') + 1).split(" ");
            assertThat(last[0]).isEqualTo("200");
            // Even on a warm backhaul, the request crossed syd → iad and back once.
            assertThat(Double.parseDouble(last[1]) * 1000).isGreaterThanOrEqualTo(RegionCatalog.rttMillis("iad", "syd") * SCALE);
        });
        DevLab.Result badRegion = lab.cli(home, "lab", "curl", "--from", "gru", url);
        assertThat(badRegion.exit()).isEqualTo(2);
        assertThat(badRegion.err()).contains("gru").contains("iad, ams, syd");
    }

    @Test
    @Order(3)
    void theEdgesMeasureTheRegionsInTheTablesOrder() {
        // The proxies read no table: only probes through the links can order the regions like this.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            DevLab.Result r = lab.cli(home, "regions", "--json");
            assertThat(r.exit()).as(r.all()).isZero();
            JsonNode matrix = Json.mapper().readTree(r.out()).get("matrix");
            for (String from : REGIONS) {
                Map<Double, String> measured = new TreeMap<>();
                JsonNode row = matrix.get(from);
                assertThat(row).as("row of " + from + " in " + matrix).isNotNull();
                for (String to : REGIONS) {
                    if (!to.equals(from)) {
                        JsonNode m = row.get(to);
                        assertThat(m).as(from + " → " + to + " in " + matrix).isNotNull();
                        double ms = m.get("millis").asDouble();
                        assertThat(ms).as(from + " → " + to).isGreaterThanOrEqualTo(RegionCatalog.rttMillis(from, to) * SCALE * 0.9);
                        measured.put(ms, to);
                    }
                }
                List<String> byTable = REGIONS.stream().filter(to -> !to.equals(from))
                        .sorted(Comparator.comparingInt(to -> RegionCatalog.rttMillis(from, to))).toList();
                assertThat(List.copyOf(measured.values())).as("regions from " + from + " by measured RTT: " + measured).isEqualTo(byTable);
            }
        });
    }

    @Test
    @Order(4)
    void anOpenLoopLoadFromAmsPaysTheAmsIadRoundTrip() throws IOException, InterruptedException {
        DevLab.Result r = lab.cli(home, "lab", "load", "--from", "ams", "--rate", "50", "--duration", "2s", "--json", url);
        assertThat(r.exit()).as(r.all()).isZero();
        JsonNode report = Json.mapper().readTree(r.out());
        assertThat(report.get("requests").asLong()).isBetween(95L, 105L);
        assertThat(report.get("statuses").get("200").asLong()).isEqualTo(report.get("requests").asLong());
        assertThat(report.get("errors").size()).isZero();
        assertThat(report.get("latencyMs").get("p50").asDouble()).isGreaterThanOrEqualTo(RegionCatalog.rttMillis("iad", "ams") * SCALE);
        assertThat(report.get("latencyMs").get("max").asDouble()).isGreaterThanOrEqualTo(report.get("latencyMs").get("p50").asDouble());
    }

    @Test
    @Order(5)
    void aUserNearSydReachesTheIadInstanceStraightAcrossTheWanWithTo() throws Exception {
        DevLab.Result status = lab.cli(hello, "status", "--json");
        assertThat(status.exit()).as(status.all()).isZero();
        JsonNode instance = Json.mapper().readTree(status.out()).get("instances").get(0);
        String to = instance.get("address").asText() + ":" + instance.get("port").asInt();
        // No edge on the way: the instance itself answers, three times on one connection.
        DevLab.Result r = lab.cli(home, "lab", "curl", "--from", "syd", "--to", to, "--repeat", "3", "-sS", "--max-time", "10",
                "-w", "\n%{http_code} %{num_connects} %{time_starttransfer}\n", "http://" + HOST + "/");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out().split("hello from iad", -1)).as(r.out()).hasSize(4);
        List<String[]> timings = r.out().lines().filter(l -> l.matches("\\d{3} \\d+ [0-9.]+")).map(l -> l.split(" ")).toList();
        assertThat(timings).as(r.out()).hasSize(3);
        assertThat(timings).extracting(t -> t[0] + " " + t[1]).containsExactly("200 1", "200 0", "200 0");
        // The access link's and the WAN's round trips, twice on the new connection (connect, request), once after.
        double rtt = 2 * 5 + RegionCatalog.rttMillis("syd", "iad") * SCALE;
        assertThat(Double.parseDouble(timings.get(0)[2]) * 1000).isGreaterThanOrEqualTo(2 * rtt);
        assertThat(Double.parseDouble(timings.get(1)[2]) * 1000).isGreaterThanOrEqualTo(rtt);

        DevLab.Result nowhere = lab.cli(home, "lab", "curl", "--from", "syd", "--to", "10.0.0.1:80", "http://" + HOST + "/");
        assertThat(nowhere.exit()).as(nowhere.all()).isEqualTo(2);
        assertThat(nowhere.err()).contains("--to 10.0.0.1:80: no region owns 10.0.0.1").contains("127.3.0.0/16 syd");
    }

    @Test
    @Order(6)
    void eachEdgeServesItsMetricsWhereTheBannerSaysWithMeasuredPeerRoundTrips() throws Exception {
        Matcher banner = Pattern.compile("syd +edge http://\\S+ +metrics (http://\\S+/metrics)").matcher(lab.devLog());
        assertThat(banner.find()).as(lab.devLog()).isTrue();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> scraped = client.send(HttpRequest.newBuilder(URI.create(banner.group(1)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scraped.statusCode()).isEqualTo(200);
            String metrics = scraped.body();
            // The requests from syd (order 2) were served by iad's instance through syd's edge.
            assertThat(metrics).containsPattern(
                    "outpost_proxy_requests_total\\{app=\"hello\",edge=\"syd\",region=\"iad\",status=\"200\"} [1-9]");
            for (String peer : List.of("iad", "ams")) {
                Matcher rtt = Pattern.compile("outpost_proxy_peer_rtt_seconds\\{edge=\"syd\",peer=\"" + peer
                        + "-edge\",peer_region=\"" + peer + "\"} ([0-9.E-]+)").matcher(metrics);
                assertThat(rtt.find()).as(metrics).isTrue();
                assertThat(Double.parseDouble(rtt.group(1)) * 1000).as("syd → " + peer + " in ms")
                        .isGreaterThanOrEqualTo(RegionCatalog.rttMillis("syd", peer) * SCALE * 0.9)
                        .isLessThan(RegionCatalog.rttMillis("syd", peer) * SCALE * 10);
            }
        }
    }
}
