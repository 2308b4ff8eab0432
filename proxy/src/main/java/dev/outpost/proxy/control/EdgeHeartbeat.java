package dev.outpost.proxy.control;

import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.EdgeList;
import dev.outpost.core.api.EdgeRegistration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this edge with the server and keeps it fresh: {@code PUT /v1/edges/{id}} with its probe
 * address and what its {@link PeerProber} measured, every heartbeat (10 s); in between, a blocking
 * {@code GET /v1/edges} tells it of peers joining or moving at once. The peers go to the prober.
 * {@link #close} removes the registration ({@code DELETE}), so peers stop probing an edge that left.
 */
public final class EdgeHeartbeat implements AutoCloseable {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(EdgeHeartbeat.class);

    private final URI api;
    private final String token;
    private final String edgeId;
    private final String region;
    private final String probeAddress;
    private final PeerProber prober;
    private final String dedicatedBlock;
    private final Duration interval;
    private final HttpClient client;
    private final CountDownLatch closed = new CountDownLatch(1);
    private Thread thread;

    public EdgeHeartbeat(URI api, String token, String edgeId, String region, String probeAddress, PeerProber prober,
                         Duration interval) {
        this(api, token, edgeId, region, probeAddress, prober, null, interval);
    }

    /** @param dedicatedBlock the block this edge serves dedicated addresses from (e.g. {@code 127.1.2.0}), reported with every heartbeat; null: none */
    public EdgeHeartbeat(URI api, String token, String edgeId, String region, String probeAddress, PeerProber prober,
                         String dedicatedBlock, Duration interval) {
        if (api == null || !("http".equals(api.getScheme()) || "https".equals(api.getScheme()))) {
            throw new IllegalArgumentException("edge heartbeat needs an http(s) API address such as http://127.0.0.1:7280, got " + api);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("edge heartbeat needs an API token, got none");
        }
        this.api = URI.create(api.toString().replaceAll("/+$", ""));
        this.token = token;
        this.edgeId = edgeId;
        this.region = region;
        this.probeAddress = probeAddress;
        this.prober = prober;
        this.dedicatedBlock = dedicatedBlock;
        this.interval = interval;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("edge heartbeat of " + edgeId + " is already started");
        }
        thread = Thread.ofVirtual().name("outpost-edge-heartbeat").start(this::run);
    }

    /** Stops heartbeating and removes the registration; a second call does nothing. */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown();
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                send(HttpRequest.newBuilder(URI.create(api + "/v1/edges/" + edgeId)).DELETE(), Duration.ofSeconds(2));
            } catch (EdgeRegistrationException e) {
                LOG.warn("edge {} could not remove its registration; peers will mark it unreachable: {}", edgeId, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        client.close();
    }

    private void run() {
        long index = 0;
        while (closed.getCount() > 0) {
            long next = System.nanoTime() + interval.toNanos();
            try {
                register();
                // Until the next heartbeat, learn of new peers as soon as they register.
                for (long left = next - System.nanoTime(); left > 0 && closed.getCount() > 0; left = next - System.nanoTime()) {
                    index = watch(index, Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                return;
            } catch (EdgeRegistrationException e) {
                LOG.warn("{}; probing the peers known so far, retrying in {}", e.getMessage(), Durations.format(interval));
                try {
                    if (closed.await(Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void register() throws InterruptedException {
        EdgeRegistration body = new EdgeRegistration(region, probeAddress, prober.rtt().snapshot(), dedicatedBlock);
        try {
            send(HttpRequest.newBuilder(URI.create(api + "/v1/edges/" + edgeId))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body))), Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new EdgeRegistrationException("edge " + edgeId + ": cannot write its registration: " + e.getMessage(), e);
        }
    }

    private long watch(long index, Duration wait) throws InterruptedException {
        long millis = Math.max(1, wait.toMillis());
        byte[] answer = send(HttpRequest.newBuilder(URI.create(api + "/v1/edges?index=" + index + "&wait=" + millis + "ms")).GET(),
                wait.plusSeconds(10));
        EdgeList list;
        try {
            list = Json.mapper().readValue(answer, EdgeList.class);
        } catch (IOException e) {
            throw new EdgeRegistrationException("edge " + edgeId + ": GET /v1/edges answered a body that is not an edge list: "
                    + e.getMessage(), e);
        }
        List<Peer> peers = new ArrayList<>();
        for (EdgeInfo e : list.edges()) {
            if (e.id().equals(edgeId)) {
                continue;
            }
            int colon = e.probeAddress().lastIndexOf(':');
            String host = e.probeAddress().substring(0, colon).replace("[", "").replace("]", "");
            // The server checked HOST:PORT when the peer registered.
            peers.add(new Peer(e.id(), e.region(), new InetSocketAddress(host, Integer.parseInt(e.probeAddress().substring(colon + 1)))));
        }
        prober.peers(peers);
        return list.index();
    }

    private byte[] send(HttpRequest.Builder request, Duration timeout) throws InterruptedException {
        HttpRequest built = request.header("Authorization", "Bearer " + token).timeout(timeout).build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(built, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new EdgeRegistrationException(built.method() + " " + built.uri() + " failed: " + e, e);
        } catch (IllegalStateException e) {
            throw new InterruptedException("edge heartbeat closed");
        }
        if (response.statusCode() / 100 != 2) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            throw new EdgeRegistrationException(built.method() + " " + built.uri() + " answered " + response.statusCode() + ": "
                    + (body.length() > 200 ? body.substring(0, 200) + "…" : body));
        }
        return response.body();
    }
}
