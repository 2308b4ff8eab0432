package dev.outpost.lab.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.cli.CliException;
import dev.outpost.core.testing.TestRequire;
import dev.outpost.lab.wan.WanNetwork;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LabCurlCommandTest {
    static final List<String> REGIONS = List.of("iad", "ams", "syd");

    @Test
    void theFirstHttpUrlAmongCurlsArgumentsDecidesTheEdgePort() throws Exception {
        assertThat(LabCurlCommand.url(List.of("-sS", "-H", "Host: x", "http://hello.outpost.localhost:8080/a", "https://other/")))
                .isEqualTo(URI.create("http://hello.outpost.localhost:8080/a"));
        assertThat(AccessLink.port(URI.create("https://hello.outpost.localhost/"))).isEqualTo(443);
        assertThat(AccessLink.port(URI.create("http://hello.outpost.localhost/"))).isEqualTo(80);
    }

    @Test
    void withoutAUrlItIsAUsageError() {
        assertThatThrownBy(() -> LabCurlCommand.url(List.of("-sS", "hello.outpost.localhost")))
                .isInstanceOf(CliException.class).hasMessageContaining("no URL")
                .extracting(e -> ((CliException) e).exitCode()).isEqualTo(CliException.USAGE);
    }

    @Test
    void toTakesAnIpv4AddressAndAPort() throws Exception {
        assertThat(LabCurlCommand.target("127.0.0.1:8443")).isEqualTo(new InetSocketAddress("127.0.0.1", 8443));
        assertThat(LabCurlCommand.target("127.3.1.2:80")).isEqualTo(new InetSocketAddress("127.3.1.2", 80));
    }

    @Test
    void aMalformedToIsAUsageErrorThatSaysWhatIsWrong() {
        assertUsage("127.0.0.1", "give ADDRESS:PORT");
        assertUsage("localhost:80", "give ADDRESS:PORT");
        assertUsage("127.0.0.1:", "give ADDRESS:PORT");
        assertUsage("127.0.0.256:80", "not an IPv4 address (256 > 255)");
        assertUsage("127.0.0.1:0", "port must be 1 to 65535, got 0");
        assertUsage("127.0.0.1:70000", "port must be 1 to 65535, got 70000");
    }

    @Test
    void toAndRepeatAreOutpostsOptionsAndTheRestIsCurls() throws Exception {
        picocli.CommandLine cmd = LabCurlCommand.commandLine(null);
        cmd.parseArgs("--from", "syd", "--to", "127.0.0.1:8443", "--repeat", "3", "-sk", "-w", "%{time_starttransfer}", "https://a.example/");
        LabCurlCommand curl = cmd.getCommand();
        assertThat(curl.to).isEqualTo("127.0.0.1:8443");
        assertThat(curl.repeat).isEqualTo(3);
        assertThat(curl.curlArgs).containsExactly("-sk", "-w", "%{time_starttransfer}", "https://a.example/");

        // Checked before anything is opened (no platform is needed to see these).
        for (String[] bad : List.of(new String[] {"--repeat", "0"}, new String[] {"--repeat", "10001"}, new String[] {"--to", "127.0.0.1"})) {
            picocli.CommandLine c = LabCurlCommand.commandLine(null);
            c.parseArgs(concat(new String[] {"--from", "syd"}, bad, new String[] {"https://a.example/"}));
            assertThatThrownBy(() -> ((LabCurlCommand) c.getCommand()).call()).as(String.join(" ", bad))
                    .isInstanceOf(CliException.class).hasMessageContaining(bad[0])
                    .extracting(e -> ((CliException) e).exitCode()).isEqualTo(CliException.USAGE);
        }
    }

    @Test
    void anAddressBelongsToTheRegionOfItsBlockAndTheServersToTheFirst() throws Exception {
        assertThat(WanNetwork.regionOf(REGIONS, InetAddress.getByName("127.0.0.1"))).contains("iad");
        assertThat(WanNetwork.regionOf(REGIONS, InetAddress.getByName("127.1.1.4"))).contains("iad");
        assertThat(WanNetwork.regionOf(REGIONS, InetAddress.getByName("127.3.2.0"))).contains("syd");
        assertThat(WanNetwork.regionOf(REGIONS, InetAddress.getByName("127.4.0.1"))).isEqualTo(Optional.empty());
        assertThat(WanNetwork.regionOf(REGIONS, InetAddress.getByName("10.0.0.1"))).isEqualTo(Optional.empty());
        // What the error for an address no region owns lists.
        assertThat(AccessLink.addressPlan(REGIONS)).isEqualTo("the lab's regions own 127.1.0.0/16 iad, 127.2.0.0/16 ams, "
                + "127.3.0.0/16 syd, and 127.0.0.1, the server, is in iad");
    }

    @Test
    void repeatSendsTheUrlAgainWithItsOutputFile() throws Exception {
        InetSocketAddress via = new InetSocketAddress("127.0.0.1", 4321);
        String url = "https://bench.example/";
        assertThat(LabCurlCommand.curlCommand(via, List.of("-s", "-o", "/dev/null", "-w", "%{time_starttransfer}\\n", url), 3))
                .containsExactly("curl", "--connect-to", "::127.0.0.1:4321", "-s", "-o", "/dev/null", "-w", "%{time_starttransfer}\\n", url,
                        "-o", "/dev/null", url, "-o", "/dev/null", url);
        assertThat(LabCurlCommand.curlCommand(via, List.of("-so", "/tmp/x", url), 2)).endsWith("-o", "/tmp/x", url);
        assertThat(LabCurlCommand.curlCommand(via, List.of("-o/tmp/y", url), 2)).endsWith("-o", "/tmp/y", url);
        assertThat(LabCurlCommand.curlCommand(via, List.of(url, "--output", "/tmp/z"), 2)).endsWith(url, "--output", "/tmp/z", "-o", "/tmp/z", url);
        assertThat(LabCurlCommand.curlCommand(via, List.of("-sS", url), 3)).containsExactly("curl", "--connect-to", "::127.0.0.1:4321",
                "-sS", url, url, url);
        assertThat(LabCurlCommand.curlCommand(via, List.of("-sS", url), 1)).containsExactly("curl", "--connect-to", "::127.0.0.1:4321",
                "-sS", url);
    }

    @Test
    void repeatedRequestsShareOneConnectionAndCurlReportsTheirTimings() throws Exception {
        TestRequire.component("curl", TestRequire.onPath("curl"), "curl is not on PATH");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "hi\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            String url = "http://timing.example/";
            String format = "%{http_code} %{num_connects} %{time_starttransfer}\\n";
            // Kept alive: one connect, then two requests on it.
            assertThat(connects(run(LabCurlCommand.curlCommand(server.getAddress(), List.of("-s", "-o", "/dev/null", "-w", format, url), 3))))
                    .containsExactly(1, 0, 0);
            // Connection: close: a new connection every time.
            assertThat(connects(run(LabCurlCommand.curlCommand(server.getAddress(),
                    List.of("-s", "-o", "/dev/null", "-H", "Connection: close", "-w", format, url), 3))))
                    .containsExactly(1, 1, 1);
        } finally {
            server.stop(0);
        }
    }

    private static void assertUsage(String to, String message) {
        assertThatThrownBy(() -> LabCurlCommand.target(to)).as(to)
                .isInstanceOf(CliException.class).hasMessageContaining("--to " + to).hasMessageContaining(message)
                .extracting(e -> ((CliException) e).exitCode()).isEqualTo(CliException.USAGE);
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }

    private static List<String> run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("curl finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    /** Each line "200 CONNECTS SECONDS": checks the status and a positive time to first byte, returns the connect counts. */
    private static List<Integer> connects(List<String> lines) {
        List<Integer> connects = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            assertThat(f).as(line).hasSize(3);
            assertThat(f[0]).as(line).isEqualTo("200");
            assertThat(Double.parseDouble(f[2])).as(line).isPositive();
            connects.add(Integer.parseInt(f[1]));
        }
        return connects;
    }
}
