package dev.outpost.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-request meters: one series per app, region and status, whatever thread records it first. */
class ProxyMetricsTest {
    @Test
    void requestsAreCountedPerAppRegionAndStatusAndTimedPerApp() {
        ProxyMetrics metrics = new ProxyMetrics("iad");

        metrics.request("hello", "iad", 200, 2_000_000);
        metrics.request("hello", "iad", 200, 4_000_000);
        metrics.request("hello", "sin", 200, 1_000_000);
        metrics.request("hello", ProxyMetrics.NO_REGION, 503, 500_000);
        metrics.request("other", "iad", 404, 1_000_000);
        metrics.routed("hello", true);
        metrics.routed("hello", true);
        metrics.routed("hello", false);

        var registry = metrics.registry();
        assertThat(registry.find("outpost.proxy.requests").tags("app", "hello", "region", "iad", "status", "200").counter().count())
                .isEqualTo(2);
        assertThat(registry.find("outpost.proxy.requests").tags("app", "hello", "region", "sin", "status", "200").counter().count())
                .isEqualTo(1);
        assertThat(registry.find("outpost.proxy.requests").tags("app", "hello", "region", "none", "status", "503").counter().count())
                .isEqualTo(1);
        assertThat(registry.find("outpost.proxy.requests").tags("app", "other", "status", "404").counter().count()).isEqualTo(1);
        assertThat(registry.find("outpost.proxy.requests").tags("app", "hello", "status", "404").counters()).isEmpty();
        assertThat(registry.find("outpost.proxy.request.duration").tag("app", "hello").timer().count()).isEqualTo(4);
        assertThat(registry.find("outpost.proxy.request.duration").tag("app", "hello").timer().max(TimeUnit.MILLISECONDS))
                .isEqualTo(4.0);
        assertThat(registry.find("outpost.proxy.routing.decisions").tags("app", "hello", "locality", "local").counter().count())
                .isEqualTo(2);
        assertThat(registry.find("outpost.proxy.routing.decisions").tags("app", "hello", "locality", "remote").counter().count())
                .isEqualTo(1);
        assertThat(metrics.scrape()).contains("outpost_proxy_requests_total{app=\"hello\",edge=\"iad\",region=\"iad\",status=\"200\"} 2");
        metrics.close();
    }

    @Test
    void eventLoopsRecordingTheSameNewSeriesAtOnceAllCountOnIt() throws Exception {
        ProxyMetrics metrics = new ProxyMetrics("iad");
        int threads = 8;
        int each = 1_000;
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        metrics.request("hello", "iad", 200, 1_000_000);
                        metrics.routed("hello", true);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        var registry = metrics.registry();
        assertThat(registry.find("outpost.proxy.requests").tags("app", "hello").counters()).hasSize(1);
        assertThat(registry.find("outpost.proxy.requests").tags("app", "hello").counter().count()).isEqualTo(threads * each);
        assertThat(registry.find("outpost.proxy.request.duration").tag("app", "hello").timer().count()).isEqualTo(threads * each);
        assertThat(registry.find("outpost.proxy.routing.decisions").tags("locality", "local").counter().count()).isEqualTo(threads * each);
        metrics.close();
    }
}
