package dev.outpost.agent.driver.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {
    @TempDir
    Path tmp;

    @Test
    void returnsTheLastLinesOfALongLogAndNeverMoreThanFifty() throws Exception {
        Path log = tmp.resolve("output.log");
        Files.writeString(log, IntStream.rangeClosed(1, 20_000).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n")));

        assertThat(LogTail.read(log, 3)).containsExactly("line 19998", "line 19999", "line 20000");
        assertThat(LogTail.read(log, 500)).hasSize(LogTail.MAX_LINES).endsWith("line 20000");
    }

    @Test
    void keepsALastLineWithoutNewlineAndAnswersEmptyForAMissingFile() throws Exception {
        Path log = tmp.resolve("output.log");
        Files.writeString(log, "a\nb");

        assertThat(LogTail.read(log, 10)).containsExactly("a", "b");
        assertThat(LogTail.read(tmp.resolve("missing.log"), 10)).isEmpty();
    }
}
