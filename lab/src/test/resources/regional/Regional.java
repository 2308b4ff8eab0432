import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The region lab's test app: every answer names the region and instance that served it and the edge
 * the request came through ({@code Outpost-Region}); {@code /slow?ms=N} holds its request N ms,
 * to fill an instance up to its hard limit.
 */
public class Regional {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        String region = System.getenv().getOrDefault("OUTPOST_REGION", "nowhere");
        String instance = System.getenv().getOrDefault("OUTPOST_INSTANCE_ID", "local");
        HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 128);
        server.createContext("/healthz", ex -> send(ex, "ok\n"));
        server.createContext("/slow", ex -> {
            String query = ex.getRequestURI().getQuery();
            long ms = query != null && query.startsWith("ms=") ? Long.parseLong(query.substring(3)) : 1000;
            System.out.println("holding a request for " + ms + " ms");
            System.out.flush();
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(ex, "region=" + region + " instance=" + instance + " edge=" + ex.getRequestHeaders().getFirst("Outpost-Region") + "\n");
        });
        server.createContext("/", ex -> send(ex, "region=" + region + " instance=" + instance
                + " edge=" + ex.getRequestHeaders().getFirst("Outpost-Region") + "\n"));
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        System.out.println("regional listening on " + port + " in " + region + " as " + instance);
    }

    private static void send(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
