import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The smallest Outpost app: answers every request with the region and instance that served it.
 * Run by the process driver with `java Hello.java`; listens on $PORT.
 */
public class Hello {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        String region = System.getenv().getOrDefault("OUTPOST_REGION", "nowhere");
        String instance = System.getenv().getOrDefault("OUTPOST_INSTANCE_ID", "local");
        String release = System.getenv().getOrDefault("OUTPOST_RELEASE", "0");
        String greeting = System.getenv().getOrDefault("GREETING", "hello");
        HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 128);
        server.createContext("/healthz", ex -> send(ex, 200, "ok\n"));
        server.createContext("/", ex -> send(ex, 200, greeting + " from " + region + " (instance " + instance
                + ", release v" + release + ")\n"));
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        System.out.println("hello listening on " + port + " in " + region + " as " + instance);
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
