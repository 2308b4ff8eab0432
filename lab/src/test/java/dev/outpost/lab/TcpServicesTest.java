package dev.outpost.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw TCP service end to end through {@code bin/outpost}: a single-file Java echo server run by the
 * process driver, deployed with a port whose handler chain is empty, is reached on the app's dedicated
 * address {@code 127.1.2.<offset>} in region 1, and {@code outpost status} and {@code outpost ips} show it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpServicesTest {
    static final String ECHO = """
            import java.io.*;
            import java.net.*;

            /** Echoes every line back with the region that served it; listens on $PORT. */
            public class Echo {
                public static void main(String[] args) throws IOException {
                    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
                    String region = System.getenv().getOrDefault("OUTPOST_REGION", "nowhere");
                    try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getByName("0.0.0.0"))) {
                        while (true) {
                            Socket socket = server.accept();
                            new Thread(() -> {
                                try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream()));
                                     Writer out = new OutputStreamWriter(socket.getOutputStream())) {
                                    String line;
                                    while ((line = in.readLine()) != null) {
                                        out.write(region + ": " + line + "\\n");
                                        out.flush();
                                    }
                                } catch (IOException e) {
                                    System.err.println("connection failed: " + e);
                                }
                            }).start();
                        }
                    }
                }
            }
            """;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path home;
    DevLab lab;
    Path app;
    int port;

    @BeforeAll
    void start() throws Exception {
        // Other dev platforms may run on this machine: take a free HTTPS port rather than the default 8443.
        int httpsPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.1.0.1"))) {
            httpsPort = probe.getLocalPort();
        }
        lab = new DevLab(home, List.of("iad")).start("--https-port", Integer.toString(httpsPort), "--driver", "process");
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.1.2.1"))) {
            port = probe.getLocalPort();
        }
        app = Files.createDirectories(home.resolve("echo"));
        Files.writeString(app.resolve("Echo.java"), ECHO);
        Files.writeString(app.resolve("outpost.toml"), """
                app = "echo"

                [build]
                cmd = "java Echo.java"

                [[services]]
                internal_port = 8080
                  [[services.ports]]
                  port = %d
                  idle_timeout = "2s"
                  [[services.tcp_checks]]
                  interval = "1s"
                  timeout = "1s"
                  grace_period = "1s"

                [deploy]
                wait_timeout = "90s"
                """.formatted(port));
    }

    @AfterAll
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aRawTcpServiceEchoesThroughTheDedicatedAddressAndStatusShowsIt() throws Exception {
        DevLab.Result launch = lab.cli(app, "launch", "--region", "iad");
        assertThat(launch.exit()).as(launch.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();

        DevLab.Result ips = lab.cli(app, "ips", "--json");
        assertThat(ips.exit()).as(ips.all()).isZero();
        com.fasterxml.jackson.databind.JsonNode addresses = dev.outpost.core.Json.mapper().readTree(ips.out());
        assertThat(addresses.path("offset").asInt()).as("the first app with a TCP port").isEqualTo(1);
        assertThat(addresses.path("addresses").get(0).path("address").asText()).isEqualTo("127.1.2.1");
        assertThat(addresses.path("addresses").get(0).path("port").asInt()).isEqualTo(port);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() ->
                assertThat(echo("127.1.2.1", port, "ping")).isEqualTo("iad: ping"));
        assertThat(echo("127.1.2.1", port, "a second connection")).isEqualTo("iad: a second connection");

        DevLab.Result status = lab.cli(app, "status");
        assertThat(status.exit()).as(status.all()).isZero();
        assertThat(status.out()).contains("tcp  127.1.2.1:" + port).contains("iad");

        // idle_timeout = "2s" in outpost.toml: a connection silent both ways is closed by the edge.
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(15_000);
            socket.connect(new InetSocketAddress("127.1.2.1", port), 2_000);
            socket.getOutputStream().write("quiet after this\n".getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int c;
            while ((c = in.read()) != '\n') {
                assertThat(c).as("the echo comes before the silence").isNotNegative();
            }
            long silentSince = System.nanoTime();
            assertThat(in.read()).as("closed by the edge").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - silentSince)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
        }
    }

    static String echo(String address, int port, String line) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(5_000);
            socket.connect(new InetSocketAddress(address, port), 2_000);
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            StringBuilder answer = new StringBuilder();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int c;
            while ((c = in.read()) != '\n' && c >= 0) {
                answer.append((char) c);
            }
            return answer.toString();
        }
    }
}
