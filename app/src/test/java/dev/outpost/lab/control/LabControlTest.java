package dev.outpost.lab.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.cli.Environment;
import dev.outpost.cli.OutpostCommand;
import dev.outpost.cli.context.Context;
import dev.outpost.lab.user.LabCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The lab control over real HTTP on 127.0.0.1, driven by the real {@code outpost lab} commands. */
class LabControlTest {
    private static final String TOKEN = "dev-admin-token";

    @TempDir
    Path home;

    private final List<String> events = new ArrayList<>();
    private final AtomicInteger proxyStarts = new AtomicInteger();
    private LabControl control;

    record Run(int exit, String out, String err) {}

    @AfterEach
    void close() {
        if (control != null) {
            control.close();
        }
    }

    private List<DevPart> parts() {
        DevPart server = new DevPart("server", null, () -> {
            events.add("server started");
            return () -> events.add("server closed");
        });
        DevPart agent = new DevPart("agent", "iad", () -> {
            events.add("agent started");
            return new DevPart.Running() {
                @Override
                public void stop() {
                    events.add("agent halted");
                }

                @Override
                public void close() {
                    events.add("agent closed");
                }
            };
        }, true);
        DevPart proxy = new DevPart("proxy", "iad", () -> {
            if (proxyStarts.incrementAndGet() > 1) {
                throw new java.net.BindException("address in use: 127.1.0.1:8080");
            }
            return () -> events.add("proxy closed");
        });
        return List.of(server, agent, proxy);
    }

    private Path configDir() {
        return home.resolve("config");
    }

    private Run outpost(String... args) {
        Environment env = new Environment(Map.of("OUTPOST_CONFIG_DIR", configDir().toString()), home, home, false);
        CommandLine cli = OutpostCommand.commandLine(env);
        cli.addSubcommand("lab", LabCommand.commandLine(env));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private void startControl() throws Exception {
        List<DevPart> parts = parts();
        for (DevPart p : parts) {
            p.start();
        }
        control = LabControl.start(parts, TOKEN);
        Context.write(configDir(), URI.create("http://127.0.0.1:1"), TOKEN);
        control.writeFile(configDir());
    }

    @Test
    void stopsAndStartsPartsAndSaysWhatIsWrong() throws Exception {
        startControl();
        Path file = configDir().resolve(LabControl.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        Run parts = outpost("lab", "parts");
        assertThat(parts.exit()).as(parts.err()).isZero();
        assertThat(parts.out()).contains("server").contains("agent iad").contains("proxy iad").contains("running").doesNotContain("stopped");

        Run stop = outpost("lab", "stop", "agent", "iad");
        assertThat(stop.exit()).as(stop.err()).isZero();
        assertThat(stop.out()).contains("agent iad stopped");
        assertThat(events).contains("agent halted").doesNotContain("agent closed");
        Run json = outpost("lab", "parts", "--json");
        assertThat(json.out()).containsPattern("\"part\"\\s*:\\s*\"agent iad\"[^}]*\"running\"\\s*:\\s*false");

        Run again = outpost("lab", "stop", "agent", "iad");
        assertThat(again.exit()).isEqualTo(LabControlClient.ALREADY);
        assertThat(again.err()).contains("agent iad is not running");
        Run restart = outpost("lab", "start", "agent", "iad");
        assertThat(restart.exit()).as(restart.err()).isZero();
        assertThat(events.stream().filter("agent started"::equals)).hasSize(2);
        assertThat(outpost("lab", "start", "server").exit()).isEqualTo(LabControlClient.ALREADY);

        Run unknown = outpost("lab", "stop", "agent", "gru");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no part agent gru").contains("parts: server, agent iad, proxy iad");
        assertThat(outpost("lab", "stop", "server", "iad").err()).contains("the server has no region");
        assertThat(outpost("lab", "start", "agent").err()).contains("agent needs a region");

        // A part that cannot start says why and stays stopped.
        assertThat(outpost("lab", "stop", "proxy", "iad").exit()).isZero();
        Run cannot = outpost("lab", "start", "proxy", "iad");
        assertThat(cannot.exit()).isEqualTo(1);
        assertThat(cannot.err()).contains("cannot start proxy iad").contains("address in use");
        assertThat(outpost("lab", "parts", "--json").out()).containsPattern("\"part\"\\s*:\\s*\"proxy iad\"[^}]*\"running\"\\s*:\\s*false");
    }

    @Test
    void closingAPartTheLabStoppedCleansUpWhatItsStopLeftRunning() throws Exception {
        List<DevPart> parts = parts();
        for (DevPart p : parts) {
            p.start();
        }
        parts.get(1).stop(); // the agent halts: its instances would run on
        parts.get(0).stop(); // the server just closes
        events.clear();
        for (DevPart p : parts) {
            p.close();
        }
        // A new agent is started and closed (it adopts and stops the instances); the stopped server is left alone.
        assertThat(events).containsExactly("agent started", "agent closed", "proxy closed");
        assertThat(parts).noneMatch(DevPart::running);
    }

    @Test
    void withoutTheDevAdminTokenNothingChanges() throws Exception {
        startControl();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(control.url().resolve("/parts/server/stop"))
                    .header("Authorization", "Bearer wrong").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(401);
        }
        assertThat(events).doesNotContain("server closed");
    }

    @Test
    void withoutOutpostDevTheCommandsSayToStartIt() throws Exception {
        Run missing = outpost("lab", "parts");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("outpost dev is not running").contains("start it with `outpost dev`");

        startControl();
        URI url = control.url();
        control.close(); // gone, its file with it; a stale file from a killed dev says the same
        Files.writeString(configDir().resolve(LabControl.FILE_NAME), "{\"url\": \"" + url + "\"}\n");
        control = null;
        Run stale = outpost("lab", "stop", "server");
        assertThat(stale.exit()).isEqualTo(1);
        assertThat(stale.err()).contains("outpost dev is not running").contains("nothing answers");
    }
}
