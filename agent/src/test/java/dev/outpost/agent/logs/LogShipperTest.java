package dev.outpost.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.LogBatch;
import dev.outpost.core.model.DesiredState;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipper against real files written by real processes, and a sink that records or refuses batches. */
class LogShipperTest {
    static final ShipperSettings FAST = new ShipperSettings(Duration.ofMillis(20), Duration.ofMillis(100), 500, 20_000,
            Duration.ofMillis(100), Duration.ofMillis(200));

    @TempDir
    Path data;
    final RecordingSink sink = new RecordingSink();
    final List<LogShipper> shippers = new ArrayList<>();

    @AfterEach
    void closeShippers() {
        shippers.forEach(LogShipper::close);
    }

    LogShipper shipper(ShipperSettings settings, String... instanceAndApp) {
        LogShipper s = new LogShipper(data, "ams", sink, settings);
        List<Assignment> assignments = new ArrayList<>();
        for (int i = 0; i < instanceAndApp.length; i += 2) {
            assignments.add(new Assignment(instanceAndApp[i], instanceAndApp[i + 1], 1, "ams", null, null, Map.of(), DesiredState.RUNNING));
        }
        s.assigned(assignments);
        shippers.add(s);
        s.start();
        return s;
    }

    Path output(String instanceId) throws IOException {
        Path dir = Files.createDirectories(data.resolve("instances").resolve(instanceId));
        return dir.resolve("output.log");
    }

    /** Runs {@code script} with sh, stdout and stderr appended to the instance's output.log, and waits for it. */
    void run(String instanceId, String script) throws Exception {
        Path out = output(instanceId);
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static List<String> numbered(String prefix, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> prefix + i).toList();
    }

    @Test
    void shipsAProcesssOutputInOrderInBatchesOfAtMost500() throws Exception {
        shipper(FAST, "i1", "web");

        run("i1", "i=1; while [ $i -le 1200 ]; do echo \"line $i\"; i=$((i+1)); done; echo oops >&2");

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.lines().size() == 1201);
        List<String> expected = new ArrayList<>(numbered("line ", 1, 1200));
        expected.add("oops");
        assertThat(sink.texts()).containsExactlyElementsOf(expected);
        assertThat(sink.batches()).allSatisfy(b -> assertThat(b.lines().size()).isLessThanOrEqualTo(500));
        assertThat(sink.batches().size()).isLessThan(20);
        LogBatch.Line first = sink.lines().getFirst();
        assertThat(first.instanceId()).isEqualTo("i1");
        assertThat(first.app()).isEqualTo("web");
        assertThat(first.region()).isEqualTo("ams");
        assertThat(first.time()).isNotNull();
        assertThat(first.origin()).matches("[a-z0-9]+:7");
    }

    @Test
    void quietOutputIsSentAtMostOncePerFlushIntervalNotPerLine() throws Exception {
        ShipperSettings slowFlush = new ShipperSettings(Duration.ofMillis(20), Duration.ofMillis(600), 500, 20_000,
                Duration.ofMillis(100), Duration.ofMillis(200));
        shipper(slowFlush, "i1", "web");

        run("i1", "for i in 1 2 3 4 5 6 7 8 9 10; do echo \"tick $i\"; sleep 0.1; done");

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.lines().size() == 10);
        assertThat(sink.texts()).containsExactlyElementsOf(numbered("tick ", 1, 10));
        // ~1 s of output, one batch per 600 ms at most: far fewer batches than lines
        assertThat(sink.batches().size()).isBetween(1, 4);
    }

    @Test
    void aQuietShipperBacksOffToTheIdlePollAndALineAfterTheQuietSpellStillComesPromptly() throws Exception {
        LogShipper s = shipper(FAST, "i1", "web");
        run("i1", "echo first");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.texts().contains("first"));

        // Quiet: 20, 40, 80 … ms between rounds, capped at the idle poll (doubling past it would never equal it).
        await().atMost(Duration.ofSeconds(5)).until(() -> s.pollWaitMillis() == LogShipper.IDLE_POLL.toMillis());

        long written = System.nanoTime();
        run("i1", "echo after-quiet");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.texts().contains("after-quiet"));
        // At most one idle wait (500 ms) plus the flush interval (100 ms), with room for a slow machine.
        assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofMillis(1500));

        // Busy again: back to the 20 ms poll, so lines written 50 ms apart are read within a round or two each.
        long busyFrom = s.rounds();
        run("i1", "for i in 1 2 3 4 5 6 7 8 9 10; do echo \"busy $i\"; sleep 0.05; done");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.texts().contains("busy 10"));
        assertThat(s.rounds() - busyFrom).isGreaterThan(10L);
    }

    @Test
    void newInstancesAreFoundAndWaitUntilTheirAppIsKnown() throws Exception {
        LogShipper s = shipper(FAST, "i1", "web");
        run("i1", "echo from-i1");
        run("i2", "echo from-i2");

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.texts().contains("from-i1"));
        assertThat(sink.texts()).doesNotContain("from-i2");

        s.assigned(List.of(new Assignment("i2", "api", 3, "ams", null, null, Map.of(), DesiredState.RUNNING)));

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.texts().contains("from-i2"));
        assertThat(sink.lines()).filteredOn(l -> l.instanceId().equals("i2")).extracting(LogBatch.Line::app).containsOnly("api");
    }

    @Test
    void aRestartedShipperGoesOnWhereTheServerLeftItNoLossNoDuplicate() throws Exception {
        LogShipper first = shipper(FAST, "i1", "web");
        run("i1", "for i in 1 2 3 4 5 6 7 8 9 10; do echo \"a$i\"; done");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 10);
        first.close();

        // written while no agent ran
        run("i1", "echo b1; echo b2");
        // the new shipper learns the app from the offsets file before any assignment
        LogShipper second = new LogShipper(data, "ams", sink, FAST);
        shippers.add(second);
        second.start();
        run("i1", "echo b3");

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 13);
        List<String> expected = new ArrayList<>(numbered("a", 1, 10));
        expected.addAll(List.of("b1", "b2", "b3"));
        assertThat(sink.texts()).containsExactlyElementsOf(expected);
        assertThat(sink.lines()).extracting(LogBatch.Line::app).containsOnly("web");
        assertThat(sink.lines()).extracting(LogBatch.Line::origin).doesNotHaveDuplicates();
    }

    @Test
    void linesSentAgainAfterACrashCarryTheSameOriginsSoTheServerStoresThemOnce() throws Exception {
        LogShipper first = shipper(FAST, "i1", "web");
        run("i1", "echo one; echo two");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 2);
        Path offsets = data.resolve("logs/offsets.json");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(offsets)
                && Json.mapper().readTree(offsets.toFile()).path("i1").path("offset").asLong() == 8);
        Path saved = Files.copy(offsets, data.resolve("offsets.before"));
        run("i1", "echo three; echo four");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 4);
        first.close();
        // the agent died after the server stored three and four but before it wrote their offsets
        Files.copy(saved, offsets, StandardCopyOption.REPLACE_EXISTING);

        shipper(FAST);

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 6);
        List<LogBatch.Line> lines = sink.lines();
        assertThat(lines.subList(4, 6)).extracting(LogBatch.Line::line).containsExactly("three", "four");
        assertThat(lines.subList(4, 6)).extracting(LogBatch.Line::origin)
                .containsExactlyElementsOf(lines.subList(2, 4).stream().map(LogBatch.Line::origin).toList());
    }

    @Test
    void followsRotationAndTruncation() throws Exception {
        shipper(FAST, "i1", "web");
        Path out = output("i1");
        append(out, "old 1\nold 2\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 2);

        // rotated by rename: the rest of the old file comes first, then the new file from its start
        append(out, "old 3\n");
        Files.move(out, out.resolveSibling("output.log.1"));
        append(out, "new 1\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 4);
        assertThat(sink.texts()).containsExactly("old 1", "old 2", "old 3", "new 1");

        // truncated in place: reading starts over at 0
        try (FileChannel c = FileChannel.open(out, StandardOpenOption.WRITE)) {
            c.truncate(0);
        }
        await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        append(out, "after truncation\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 5);
        assertThat(sink.texts().getLast()).isEqualTo("after truncation");
        assertThat(sink.lines()).extracting(LogBatch.Line::origin).doesNotHaveDuplicates();
    }

    @Test
    void serverDownKeepsABoundedBufferAndShipsADropMarkerWhenBack() throws Exception {
        ShipperSettings small = new ShipperSettings(Duration.ofMillis(20), Duration.ofMillis(50), 10, 50,
                Duration.ofMillis(50), Duration.ofMillis(200));
        run("i1", "i=1; while [ $i -le 200 ]; do echo \"l$i\"; i=$((i+1)); done");
        sink.down(true);

        shipper(small, "i1", "web");
        // the first round read all 200 lines (well under one read's budget) and kept the newest 50
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.refused() >= 3);
        assertThat(sink.lines()).isEmpty();
        sink.down(false);

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 51);
        LogBatch.Line marker = sink.lines().getFirst();
        assertThat(marker.line()).startsWith("[outpost] 150 log lines dropped");
        assertThat(marker.origin()).isNull();
        assertThat(marker.instanceId()).isEqualTo("i1");
        assertThat(marker.app()).isEqualTo("web");
        assertThat(sink.texts().subList(1, 51)).containsExactlyElementsOf(numbered("l", 151, 200));
        assertThat(sink.batches()).allSatisfy(b -> assertThat(b.lines().size()).isLessThanOrEqualTo(11));
    }

    @Test
    void aDeletedInstanceDirectoryIsReadToTheEndAndForgotten() throws Exception {
        shipper(FAST, "i1", "web");
        Path out = output("i1");
        append(out, "hello\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 1);

        append(out, "last words\n");
        Files.delete(out);
        Files.delete(out.getParent());

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 2);
        assertThat(sink.texts()).containsExactly("hello", "last words");
        Path offsets = data.resolve("logs/offsets.json");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            JsonNode all = Json.mapper().readTree(offsets.toFile());
            return !all.has("i1");
        });
    }

    @Test
    void aLastLineWithoutLineBreakIsSentOnceItStopsGrowingAndLongLinesAreCut() throws Exception {
        shipper(FAST, "i1", "web");
        Path out = output("i1");
        append(out, "prompt> ");

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 1);
        assertThat(sink.texts()).containsExactly("prompt> ");

        append(out, "x".repeat(LogBatch.MAX_LINE_LENGTH + 10) + "\r\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 3);
        assertThat(sink.texts().get(1)).hasSize(LogBatch.MAX_LINE_LENGTH);
        assertThat(sink.texts().get(2)).isEqualTo("x".repeat(10));
    }

    @Test
    void closeSendsWhatIsLeftOnce() throws Exception {
        ShipperSettings lazy = new ShipperSettings(Duration.ofMillis(20), Duration.ofSeconds(30), 500, 20_000,
                Duration.ofMillis(100), Duration.ofMillis(200));
        LogShipper s = shipper(lazy, "i1", "web");
        append(output("i1"), "first\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 1);
        append(output("i1"), "second\n");

        s.close();

        assertThat(sink.texts()).containsExactly("first", "second");
    }
}
