package dev.outpost.proxy.control;

import dev.outpost.core.api.RegionRtt;
import dev.outpost.proxy.telemetry.ProxyMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every peer edge in another region once per interval (2 s by default), all peers at once
 * on virtual threads, keeps a {@link PeerRtt} per peer and publishes the result per region into
 * its {@link MeasuredRtt}: the nearest usable edge of a region stands for the region. When that
 * changes the order of the regions, {@code onOrderChanged} runs, so the routing table can be
 * re-sorted without waiting for the server's next table.
 */
public final class PeerProber implements AutoCloseable {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(PeerProber.class);

    private final String localRegion;
    private final Probe probe;
    private final Duration interval;
    private final Runnable onOrderChanged;
    private final MeasuredRtt measured;
    private final Map<String, PeerRtt> estimates = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile List<Peer> peers = List.of();
    private List<String> order = List.of();
    private volatile Consumer<Map<Peer, PeerRtt>> onRound = estimates -> { };
    private Thread thread;

    public PeerProber(String localRegion, Probe probe, Duration interval, Runnable onOrderChanged) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("probe interval must be positive, e.g. 2s, got " + interval);
        }
        this.localRegion = localRegion;
        this.probe = probe;
        this.interval = interval;
        this.onOrderChanged = onOrderChanged;
        this.measured = new MeasuredRtt(localRegion);
    }

    /** The round trips measured so far, for the routing table. */
    public MeasuredRtt rtt() {
        return measured;
    }

    /** Called after every round with the estimate of each peer probed (for the peer RTT gauge). */
    public void onRound(Consumer<Map<Peer, PeerRtt>> observer) {
        this.onRound = observer;
    }

    /** Keeps {@code outpost_proxy_peer_rtt_seconds} of {@code metrics} current: one series per peer usable now. */
    public void reportTo(ProxyMetrics metrics) {
        onRound(estimates -> metrics.peerRtts(estimates.entrySet().stream()
                .filter(e -> e.getValue().usable())
                .map(e -> new ProxyMetrics.PeerRttSample(e.getKey().id(), e.getKey().region(), e.getValue().millis() / 1000.0))
                .toList()));
    }

    /** Replaces the peers; those of this edge's own region are not probed. A peer gone is forgotten. */
    public void peers(List<Peer> all) {
        List<Peer> remote = all.stream().filter(p -> !p.region().equals(localRegion)).toList();
        // A peer whose probe address changed is a new path: its old estimate does not carry over.
        estimates.keySet().retainAll(remote.stream().map(PeerProber::key).toList());
        this.peers = remote;
    }

    /** Starts probing every interval on a virtual thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("peer prober of " + localRegion + " is already started");
        }
        thread = Thread.ofVirtual().name("outpost-peer-prober-" + localRegion).start(() -> {
            try {
                do {
                    probeOnce();
                } while (!closed.await(interval.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** One round: probes every peer once, waits for all, publishes, and tells when the order changed. */
    public void probeOnce() {
        List<Peer> round = peers;
        try (ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Peer peer : round) {
                probes.submit(() -> estimates.compute(key(peer), (k, old) -> next(peer, old == null ? PeerRtt.UNKNOWN : old)));
            }
        }
        publish(round);
    }

    @Override
    public void close() {
        closed.countDown();
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            try {
                running.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private PeerRtt next(Peer peer, PeerRtt old) {
        try {
            Duration took = probe.roundTrip(peer.probeAddress());
            PeerRtt now = old.observe(took.toNanos() / 1_000_000.0);
            if (!old.reachable()) {
                LOG.info("peer edge {} ({}) answers probes again: {} ms", peer.id(), peer.region(), Math.round(now.millis()));
            }
            return now;
        } catch (IOException | RuntimeException e) {
            PeerRtt now = old.fail();
            if (old.reachable() && !now.reachable()) {
                LOG.warn("peer edge {} ({}) is unreachable after {} failed probes: {}", peer.id(), peer.region(), now.failures(),
                        e.getMessage());
            }
            return now;
        }
    }

    private synchronized void publish(List<Peer> round) {
        Map<String, List<PeerRtt>> byRegion = new HashMap<>();
        Map<Peer, PeerRtt> byPeer = new HashMap<>();
        for (Peer peer : round) {
            PeerRtt rtt = estimates.get(key(peer));
            if (rtt != null) {
                byRegion.computeIfAbsent(peer.region(), r -> new ArrayList<>()).add(rtt);
                byPeer.put(peer, rtt);
            }
        }
        try {
            onRound.accept(Map.copyOf(byPeer));
        } catch (RuntimeException e) {
            LOG.error("edge of {}: recording the peer round trips failed", localRegion, e);
        }
        Map<String, RegionRtt> regions = new HashMap<>();
        byRegion.forEach((region, rtts) -> {
            var nearest = rtts.stream().filter(PeerRtt::usable).min(Comparator.comparingDouble(PeerRtt::millis));
            if (nearest.isPresent()) {
                regions.put(region, new RegionRtt(nearest.get().millis(), true));
            } else if (rtts.stream().noneMatch(PeerRtt::reachable)) {
                regions.put(region, new RegionRtt(rtts.stream().mapToDouble(PeerRtt::millis).min().orElse(0), false));
            }
            // Otherwise no probe answered yet and not enough failed to call it unreachable: unknown, the table decides.
        });
        measured.publish(regions);
        List<String> next = regions.keySet().stream()
                .sorted(Comparator.comparingLong((String r) -> measured.rttMillis(localRegion, r).orElse(Integer.MAX_VALUE))
                        .thenComparing(r -> r))
                .toList();
        if (!next.equals(order)) {
            order = next;
            // Debug: on loopback, sub-millisecond ties reorder often and harmlessly.
            LOG.debug("edge of {}: regions by measured RTT now {}", localRegion, next);
            try {
                onOrderChanged.run();
            } catch (RuntimeException e) {
                LOG.error("edge of {}: re-sorting the routes by the new region order failed", localRegion, e);
            }
        }
    }

    private static String key(Peer peer) {
        return peer.id() + "@" + peer.probeAddress();
    }
}
