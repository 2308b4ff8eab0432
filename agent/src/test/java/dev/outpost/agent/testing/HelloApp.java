package dev.outpost.agent.testing;

import java.util.List;
import java.util.Map;

/**
 * A real instance for tests: {@code java Hello.java}, run by the JDK that runs the tests. It listens
 * on {@code OUTPOST_PRIVATE_IP:PORT} and answers 200 to every path, or 500 while a file named
 * {@code unhealthy} exists in its directory.
 */
public final class HelloApp {
    public static final String SOURCE = """
            import com.sun.net.httpserver.HttpServer;
            import java.net.InetSocketAddress;
            import java.nio.file.Files;
            import java.nio.file.Path;

            public class Hello {
                public static void main(String[] args) throws Exception {
                    String ip = System.getenv("OUTPOST_PRIVATE_IP");
                    int port = Integer.parseInt(System.getenv("PORT"));
                    HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 0);
                    server.createContext("/", ex -> {
                        int code = Files.exists(Path.of("unhealthy")) ? 500 : 200;
                        byte[] body = ("hello from " + System.getenv("OUTPOST_INSTANCE_ID")).getBytes();
                        ex.sendResponseHeaders(code, body.length);
                        ex.getResponseBody().write(body);
                        ex.close();
                    });
                    server.start();
                    System.out.println("listening on " + ip + ":" + port);
                }
            }
            """;

    private HelloApp() {}

    /** The bundle: just {@code Hello.java}. */
    public static byte[] bundle() {
        return Bundles.tar(Map.of("Hello.java", SOURCE));
    }

    /** The command that runs it with the test's own JDK, tuned to start fast. */
    public static List<String> command() {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "Hello.java");
    }
}
