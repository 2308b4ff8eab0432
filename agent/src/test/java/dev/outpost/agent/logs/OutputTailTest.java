package dev.outpost.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One tail polled by hand, so each step of a rotation is seen in order. */
class OutputTailTest {
    @TempDir
    Path dir;

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> poll(OutputTail tail) throws IOException {
        return tail.poll(1 << 20, System.nanoTime(), Long.MAX_VALUE).stream().map(OutputTail.Read::text).toList();
    }

    @Test
    void aRotationWhoseNewFileComesSomePollsLaterIsFollowedNotTakenForTheInstanceGoing() throws IOException {
        Path instance = Files.createDirectories(dir.resolve("i1"));
        Path out = instance.resolve("output.log");
        append(out, "old 1\n");
        OutputTail tail = new OutputTail(out, null);
        assertThat(poll(tail)).containsExactly("old 1");

        append(out, "old 2\n");
        Files.move(out, instance.resolve("output.log.1"));
        assertThat(poll(tail)).as("the rest of the renamed file").containsExactly("old 2");
        assertThat(tail.gone()).isFalse();
        assertThat(poll(tail)).as("no new file yet").isEmpty();
        assertThat(tail.gone()).as("the instance directory is still there").isFalse();

        append(out, "new 1\n");
        assertThat(poll(tail)).containsExactly("new 1");
        tail.close();
    }

    @Test
    void theFileDeletedWithItsInstanceDirectoryIsGoneOnceRead() throws IOException {
        Path instance = Files.createDirectories(dir.resolve("i2"));
        Path out = instance.resolve("output.log");
        append(out, "last words\n");
        OutputTail tail = new OutputTail(out, null);
        assertThat(poll(tail)).containsExactly("last words");

        Files.delete(out);
        Files.delete(instance);
        assertThat(poll(tail)).isEmpty();
        assertThat(tail.gone()).isTrue();
        tail.close();
    }
}
