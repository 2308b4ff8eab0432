package dev.outpost.lab.user;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP load: requests are scheduled at a fixed rate whatever the answers do, so a slow
 * server cannot slow the load down and hide its own slowness (coordinated omission). Latency is
 * recorded from each request's intended send time, not from when it actually left. At most
 * {@code maxInFlight} requests are outstanding; a request waiting for a slot keeps its intended
 * time, so the wait counts as latency.
 *
 * <p>Requests go to {@code connectTo} (an access link) with the URL's host in {@code Host}: HTTP
 * only, since the JDK client would send the link's address as TLS SNI.
 */
public final class OpenLoopLoad {
    /** The JDK's HTTP client refuses to let callers set {@code Host} unless this names it. */
    static final String ALLOW_HOST_HEADER = "jdk.httpclient.allowRestrictedHeaders";
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final URI url;
    private final InetSocketAddress connectTo;
    private final int rate;
    private final Duration duration;
    private final int maxInFlight;
    private final Duration timeout;

    public OpenLoopLoad(URI url, InetSocketAddress connectTo, int rate, Duration duration, int maxInFlight, Duration timeout) {
        if (!"http".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("lab load sends plain HTTP; got " + url + " (use an http:// URL, or `outpost lab curl` for https)");
        }
        if (rate < 1 || rate > 100_000) {
            throw new IllegalArgumentException("--rate must be 1 to 100000 requests per second, got " + rate);
        }
        if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--duration must be longer than 0s and at most 1h, got " + duration);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("--max-in-flight must be at least 1, got " + maxInFlight);
        }
        this.url = url;
        this.connectTo = connectTo;
        this.rate = rate;
        this.duration = duration;
        this.maxInFlight = maxInFlight;
        this.timeout = timeout;
    }

    /**
     * Lets this process's JDK HTTP clients set {@code Host}. The JDK reads the setting once, when
     * its first client is created, so this must run before any (the CLI's API client included).
     */
    public static void allowHostHeader() {
        System.setProperty(ALLOW_HOST_HEADER, "host");
    }

    /**
     * Sends {@code rate × duration} requests, waits for their answers (each at most {@code timeout}),
     * and reports. {@link #allowHostHeader()} must have run before this process made any HTTP client.
     */
    public LoadReport run(String from) throws InterruptedException {
        long total = Math.max(1, rate * duration.toNanos() / 1_000_000_000L);
        long period = 1_000_000_000L / rate;
        Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        Map<String, Long> statuses = new TreeMap<>();
        Map<String, Long> errors = new TreeMap<>();
        Semaphore slots = new Semaphore(maxInFlight);
        CountDownLatch answered = new CountDownLatch((int) total);
        URI target = URI.create("http://" + connectTo.getAddress().getHostAddress() + ":" + connectTo.getPort()
                + (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
        HttpRequest request = HttpRequest.newBuilder(target).GET().timeout(timeout)
                .header("Host", url.getRawAuthority()).build();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                     .connectTimeout(timeout).build()) {
            long start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long intended = start + i * period;
                for (long wait; (wait = intended - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
                slots.acquire();
                client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                    long micros = Math.min(HIGHEST_MICROS, (System.nanoTime() - intended) / 1000);
                    synchronized (latency) {
                        latency.recordValue(micros);
                        if (failure == null) {
                            statuses.merge(Integer.toString(response.statusCode()), 1L, Long::sum);
                        } else {
                            errors.merge(kind(failure), 1L, Long::sum);
                        }
                    }
                    slots.release();
                    answered.countDown();
                });
            }
            // Every request has its own timeout; this only guards against a client that never calls back.
            if (!answered.await(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                synchronized (latency) {
                    errors.merge("no answer", answered.getCount(), Long::sum);
                }
            }
        }
        synchronized (latency) {
            return new LoadReport(url.toString(), from, rate, duration.toMillis() / 1000.0, total, Map.copyOf(statuses),
                    Map.copyOf(errors), new LoadReport.Latency(ms(latency.getValueAtPercentile(50)),
                    ms(latency.getValueAtPercentile(90)), ms(latency.getValueAtPercentile(99)), ms(latency.getMaxValue())));
        }
    }

    private static String kind(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof java.net.http.HttpTimeoutException ? "timeout"
                : cause instanceof java.net.ConnectException ? "connect refused"
                : cause instanceof IOException ? "i/o: " + cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName();
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
