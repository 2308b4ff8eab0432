package dev.outpost.proxy.testing;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.proxy.EdgeProxy;
import dev.outpost.proxy.ProxyConfig;
import dev.outpost.proxy.http.ProxyLimits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Proxies, instances and an HTTP client for one test, closed together by {@link #close()} in reverse
 * order of creation.
 */
public final class ProxyFixture implements AutoCloseable {
    private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public <T extends AutoCloseable> T closing(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    public InstanceServer instance(String name, String region) throws IOException {
        return closing(new InstanceServer(name, region));
    }

    public EdgeProxy proxy(String region, RoutingTable table) {
        return proxy(new ProxyConfig(region, "127.0.0.1", 0), table);
    }

    public EdgeProxy proxy(String region, ProxyLimits limits, RoutingTable table) {
        return proxy(new ProxyConfig(region, "127.0.0.1", 0).withLimits(limits), table);
    }

    public EdgeProxy proxy(ProxyConfig config, RoutingTable table) {
        EdgeProxy proxy = closing(new EdgeProxy(config));
        proxy.start();
        proxy.update(table);
        return proxy;
    }

    public HttpRequest.Builder request(EdgeProxy proxy, String host, String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort() + path))
                .header("Host", host)
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return request;
    }

    public HttpResponse<String> get(EdgeProxy proxy, String host, String path, String... headers) throws Exception {
        return client.send(request(proxy, host, path, headers).build(), HttpResponse.BodyHandlers.ofString());
    }

    public CompletableFuture<HttpResponse<String>> getAsync(EdgeProxy proxy, String host, String path, String... headers) {
        return client.sendAsync(request(proxy, host, path, headers).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(EdgeProxy proxy, String host, String path, byte[] body, String... headers) throws Exception {
        return client.send(request(proxy, host, path, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient client() {
        return client;
    }

    /** The instance's echo: {@code instance} and {@code h:<header>} keys. */
    public static Map<String, String> echo(HttpResponse<String> response) {
        return echoLines(response.body());
    }

    /** {@code key=value} lines of an echo body. */
    public static Map<String, String> echoLines(String body) {
        return body.lines().filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1), (a, b) -> b));
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            c.close();
        }
        client.close();
    }
}
