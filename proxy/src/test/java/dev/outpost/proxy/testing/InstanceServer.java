package dev.outpost.proxy.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.core.api.RoutingTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in app instance: a JDK HTTP server on 127.0.0.1, port 0, that says who it is.
 *
 * <ul>
 *   <li>any path: {@code instance=NAME} then one {@code h:name=value} line per request header (names lower case)</li>
 *   <li>{@code /upload}: reads the body as it comes and answers its length and SHA-256</li>
 *   <li>{@code /download?bytes=N&seed=S}: streams a {@link PatternedBody} (chunked)</li>
 *   <li>{@code /hold}: answers only after {@link #releaseHeld()}</li>
 *   <li>{@code /close}: answers with {@code Connection: close}</li>
 *   <li>{@code /think?ms=N}: answers after N ms, as an app that takes that long to work out its answer</li>
 *   <li>{@code /replay}: after {@link #replayTo(String)}, answers 409 with {@code Outpost-Replay: VALUE};
 *       otherwise like {@code /upload}</li>
 * </ul>
 * It counts requests and distinct client ports, i.e. the connections the proxy opened to it.
 */
public final class InstanceServer implements AutoCloseable {
    private final String name;
    private final String region;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile String replayTo;

    public InstanceServer(String name, String region) throws IOException {
        this.name = name;
        this.region = region;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** This instance as a routing-table target. */
    public RoutingTable.Target target() {
        return new RoutingTable.Target(name, region, "127.0.0.1", port(), 1);
    }

    public int requests() {
        return requests.get();
    }

    /** Distinct TCP connections that sent requests. */
    public int connections() {
        return clientPorts.size();
    }

    /** Requests waiting in {@code /hold}. */
    public int held() {
        return held.get();
    }

    /** Makes {@code /replay} answer {@code Outpost-Replay: value} (e.g. {@code region=iad}). */
    public void replayTo(String value) {
        this.replayTo = value;
    }

    public void releaseHeld() {
        release.countDown();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        clientPorts.add(exchange.getRemoteAddress().getPort());
        exchange.getResponseHeaders().set("Instance", name);
        try (exchange) {
            switch (exchange.getRequestURI().getPath()) {
                case "/upload" -> upload(exchange);
                case "/replay" -> {
                    String to = replayTo;
                    if (to == null) {
                        upload(exchange);
                    } else {
                        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
                        exchange.getResponseHeaders().set("Outpost-Replay", to);
                        byte[] bytes = ("instance=" + name + "\nreplay=" + to + "\n").getBytes(StandardCharsets.UTF_8);
                        exchange.sendResponseHeaders(409, bytes.length);
                        exchange.getResponseBody().write(bytes);
                    }
                }
                case "/download" -> download(exchange);
                case "/hold" -> {
                    held.incrementAndGet();
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    held.decrementAndGet();
                    echo(exchange);
                }
                case "/think" -> {
                    try {
                        Thread.sleep(Long.parseLong(exchange.getRequestURI().getQuery().replace("ms=", "")));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    echo(exchange);
                }
                case "/close" -> {
                    exchange.getResponseHeaders().set("Connection", "close");
                    echo(exchange);
                }
                default -> echo(exchange);
            }
        }
    }

    private void echo(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        StringBuilder body = new StringBuilder("instance=").append(name).append('\n')
                .append("uri=").append(exchange.getRequestURI()).append('\n');
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        headers.forEach((k, v) -> body.append("h:").append(k).append('=').append(v).append('\n'));
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void upload(HttpExchange exchange) throws IOException {
        CountingStream counted = new CountingStream(exchange.getRequestBody());
        String sha = PatternedBody.sha256(counted);
        byte[] bytes = ("instance=" + name + "\nbytes=" + counted.count + "\nsha256=" + sha + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void download(HttpExchange exchange) throws IOException {
        Map<String, String> query = new TreeMap<>();
        for (String part : exchange.getRequestURI().getQuery().split("&")) {
            String[] kv = part.split("=", 2);
            query.put(kv[0], kv[1]);
        }
        exchange.sendResponseHeaders(200, 0);
        new PatternedBody(Long.parseLong(query.get("bytes")), Integer.parseInt(query.get("seed"))).writeTo(exchange.getResponseBody());
    }

    private static final class CountingStream extends InputStream {
        private final InputStream in;
        private long count;

        CountingStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
