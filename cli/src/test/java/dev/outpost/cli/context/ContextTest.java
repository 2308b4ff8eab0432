package dev.outpost.cli.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextTest {
    @TempDir
    Path home;

    @Test
    void writeCreatesAPrivateFileInAPrivateDirectoryThatLoadReads() throws Exception {
        Path dir = home.resolve("cfg/outpost");
        Path file = Context.write(dir, URI.create("http://127.0.0.1:7280"), "op_secret");

        assertThat(file).isEqualTo(dir.resolve("context.json"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("cfg")))).isEqualTo("rwx------");
        assertThat(Context.load(Map.of("OUTPOST_CONFIG_DIR", dir.toString()), home))
                .isEqualTo(new Context(URI.create("http://127.0.0.1:7280"), "op_secret"));
    }

    @Test
    void rewritingKeepsTheFilePrivate() throws Exception {
        Path dir = home.resolve("outpost");
        Context.write(dir, URI.create("http://127.0.0.1:1"), "first");
        Path file = Context.write(dir, URI.create("http://127.0.0.1:2"), "second");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Context.load(Map.of("OUTPOST_CONFIG_DIR", dir.toString()), home).token()).isEqualTo("second");
    }

    @Test
    void directoryPrefersOutpostConfigDirThenXdgThenHome() {
        assertThat(Context.directory(Map.of("OUTPOST_CONFIG_DIR", "/a", "XDG_CONFIG_HOME", "/b"), home)).isEqualTo(Path.of("/a"));
        assertThat(Context.directory(Map.of("XDG_CONFIG_HOME", "/b"), home)).isEqualTo(Path.of("/b/outpost"));
        assertThat(Context.directory(Map.of(), home)).isEqualTo(home.resolve(".config/outpost"));
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        Context.write(home.resolve(".config/outpost"), URI.create("http://127.0.0.1:7280"), "from-file");

        Context c = Context.load(Map.of("OUTPOST_TOKEN", "from-env"), home);

        assertThat(c.api()).isEqualTo(URI.create("http://127.0.0.1:7280"));
        assertThat(c.token()).isEqualTo("from-env");
    }

    @Test
    void theEdgeOfOutpostDevIsKeptOnlyWhileTheCliTalksToItsApi() throws Exception {
        Path dir = home.resolve(".config/outpost");
        Context.write(dir, URI.create("http://127.0.0.1:7280"), "t", "127.1.0.1:8582");

        assertThat(Context.load(Map.of(), home).edge()).isEqualTo("127.1.0.1:8582");
        assertThat(Context.load(Map.of("OUTPOST_API", "http://127.0.0.1:7280"), home).edge()).isEqualTo("127.1.0.1:8582");
        assertThat(Context.load(Map.of("OUTPOST_API", "http://10.0.0.9:7280"), home).edge())
                .as("another server's edge is not the file's").isNull();
        Context.write(dir, URI.create("http://127.0.0.1:7280"), "t");
        assertThat(Context.load(Map.of(), home).edge()).isNull();
        assertThat(Files.readString(dir.resolve("context.json"))).doesNotContain("edge");
    }

    @Test
    void environmentAloneIsEnough() throws Exception {
        Context c = Context.load(Map.of("OUTPOST_API", "http://127.0.0.5:9000/", "OUTPOST_TOKEN", "t"), home);
        assertThat(c.api()).isEqualTo(URI.create("http://127.0.0.5:9000"));
    }

    @Test
    void missingContextSaysWhatToDo() {
        assertThatThrownBy(() -> Context.load(Map.of(), home))
                .isInstanceOf(ContextException.class)
                .hasMessage("no Outpost context: run `outpost dev`, or set OUTPOST_API and OUTPOST_TOKEN");
    }

    @Test
    void apiUrlMustBeHttp() {
        assertThatThrownBy(() -> Context.load(Map.of("OUTPOST_API", "ftp://x", "OUTPOST_TOKEN", "t"), home))
                .isInstanceOf(ContextException.class)
                .hasMessageContaining("must start with http:// or https://");
    }

    @Test
    void corruptFileIsNamedInTheError() throws Exception {
        Path dir = home.resolve(".config/outpost");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("context.json"), "{not json");

        assertThatThrownBy(() -> Context.load(Map.of(), home))
                .isInstanceOf(ContextException.class)
                .hasMessageContaining(dir.resolve("context.json").toString());
    }
}
