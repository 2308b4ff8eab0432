package dev.outpost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.proxy.telemetry.AccessLog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --access-log}: the edges' JSON lines go to a file, alone on their lines, and a path that cannot be written is refused up front. */
class AccessLogOptionTest {
    private final ch.qos.logback.classic.Logger logger =
            ((LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory()).getLogger(AccessLog.LOGGER);

    @AfterEach
    void restoreTheLogger() {
        var appender = logger.getAppender("access-log");
        if (appender != null) {
            appender.stop();
            logger.detachAppender(appender);
        }
        logger.setLevel(null);
        logger.setAdditive(true);
    }

    @Test
    void eachRequestIsOneJsonLineAppendedToTheFileWithNothingElseOnIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "{\"earlier\":true}\n");
        AccessLogOption option = new AccessLogOption();
        option.accessLog = file.toString();
        option.apply(new CommandLine(new ProxyCommand()).getCommandSpec());

        AccessLog log = new AccessLog();
        assertThat(log.enabled()).isTrue();
        for (int status : List.of(200, 503)) {
            log.log(new AccessLog.Entry(Instant.parse("2026-12-07T22:00:00Z"), "hello", "GET", "/", "HTTP/1.1", status, 5, 12, 0, null,
                    1L, 10L, 1, "i-1", "iad", "iad", "r" + status, "127.0.0.1", "curl/8"));
        }

        // Buffered between flushes (every second, and when the command stops): written out by flush().
        option.flush();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("{\"earlier\":true}");
        for (String line : lines.subList(1, 3)) {
            // Parsed whole: no time or level in front, as the console's lines have.
            JsonNode entry = Json.mapper().readTree(line);
            assertThat(entry.get("app").asText()).isEqualTo("hello");
            assertThat(entry.get("responseMs").asLong()).isEqualTo(10);
        }
        assertThat(Json.mapper().readTree(lines.get(2)).get("status").asInt()).isEqualTo(503);
    }

    @Test
    void aLineReachesTheFileWithinAboutASecondWithoutAStop(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        AccessLogOption option = new AccessLogOption();
        option.accessLog = file.toString();
        option.apply(new CommandLine(new ProxyCommand()).getCommandSpec());

        new AccessLog().log(new AccessLog.Entry(Instant.now(), "hello", "GET", "/", "HTTP/2", 200, 5, 1, 0, null, 0L, 1L, 1,
                "i-1", "iad", "iad", "r1", "127.0.0.1", null));

        // `tail -f` sees it after the next periodic flush, not only when the edge stops.
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readAllLines(file).size() == 1);
        assertThat(Json.mapper().readTree(Files.readAllLines(file).get(0)).get("protocol").asText()).isEqualTo("HTTP/2");
    }

    @Test
    void aFileThatCannotBeWrittenIsAUsageErrorThatNamesIt(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ProxyCommand()).setErr(new PrintWriter(err));
        Path missing = dir.resolve("no-such-dir").resolve("access.log");

        // Refused before anything starts: no server is asked, no port is bound.
        int code = cli.execute("--region", "iad", "--server", "http://127.0.0.1:1", "--token", "t", "--access-log", missing.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--access-log " + missing).contains("cannot append to").contains("its directory does not exist")
                .contains("or - for standard output");
        assertThat(missing.getParent()).doesNotExist();
    }
}
