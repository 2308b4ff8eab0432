package dev.outpost.agent.driver.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.testing.Bundles;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BundleUnpackerTest {
    @TempDir
    Path tmp;

    @Test
    void unpacksFilesWithTheirExecutableBit() throws Exception {
        Path bundle = write(Bundles.tar(Map.of("app/run.sh", "#!/bin/sh\n", "README", "hi")));

        BundleUnpacker.unpack(bundle, tmp.resolve("out"));

        assertThat(tmp.resolve("out/README")).hasContent("hi");
        assertThat(Files.getPosixFilePermissions(tmp.resolve("out/app/run.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
    }

    @Test
    void unpacksAGzippedTarToo() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream out = new GzipCompressorOutputStream(gz)) {
            out.write(Bundles.tar(Map.of("a.txt", "zipped")));
        }

        BundleUnpacker.unpack(write(gz.toByteArray()), tmp.resolve("out"));

        assertThat(tmp.resolve("out/a.txt")).hasContent("zipped");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape.txt", "a/../../escape.txt", "/etc/escape.txt"})
    void refusesEntriesEscapingTheDirectory(String name) throws Exception {
        Path bundle = write(Bundles.tar(Map.of(name, "pwned")));

        assertThatThrownBy(() -> BundleUnpacker.unpack(bundle, tmp.resolve("out")))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("escapes the instance directory; refused");
        assertThat(tmp.resolve("escape.txt")).doesNotExist();
    }

    @Test
    void refusesLinksPointingOutOfTheDirectory() throws Exception {
        Path bundle = write(Bundles.tarWithLink("passwd", "../../etc/passwd"));

        assertThatThrownBy(() -> BundleUnpacker.unpack(bundle, tmp.resolve("out")))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("points outside the instance directory");
        assertThat(tmp.resolve("out/passwd")).doesNotExist();
    }

    @Test
    void keepsLinksThatStayInside() throws Exception {
        Path bundle = write(Bundles.tarWithLink("current", "releases/v1"));

        BundleUnpacker.unpack(bundle, tmp.resolve("out"));

        assertThat(Files.readSymbolicLink(tmp.resolve("out/current"))).isEqualTo(Path.of("releases/v1"));
    }

    private Path write(byte[] bytes) throws Exception {
        Path p = Files.createTempFile(tmp, "bundle", ".tar");
        Files.write(p, bytes);
        return p;
    }
}
