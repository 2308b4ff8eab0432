package dev.outpost.cli.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundlePackerTest {
    @TempDir
    Path dir;
    @TempDir
    Path out;

    @Test
    void sameTreeGivesSameDigestWhateverTheTimestamps() throws Exception {
        write("app.py", "print('hi')\n");
        write("lib/util.py", "x = 1\n");
        Bundle first = BundlePacker.pack(dir, out.resolve("1.tar"));
        Files.setLastModifiedTime(dir.resolve("app.py"), FileTime.fromMillis(1_000_000_000L));
        Files.setLastModifiedTime(dir.resolve("lib"), FileTime.fromMillis(2_000_000_000L));
        Bundle second = BundlePacker.pack(dir, out.resolve("2.tar"));

        assertThat(second.digest()).isEqualTo(first.digest()).startsWith("sha256:").hasSize(7 + 64);
        assertThat(Files.readAllBytes(second.file())).isEqualTo(Files.readAllBytes(first.file()));
    }

    @Test
    void digestIsTheSha256OfTheTarFile() throws Exception {
        write("index.html", "<h1>hi</h1>");
        Bundle bundle = BundlePacker.pack(dir, out.resolve("b.tar"));

        String sha = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(bundle.file())));
        assertThat(bundle.digest()).isEqualTo(sha);
        assertThat(bundle.size()).isEqualTo(Files.size(bundle.file()));
        assertThat(bundle.files()).isEqualTo(1);
    }

    @Test
    void changedFileGivesNewDigest() throws Exception {
        write("app.py", "print('hi')\n");
        String before = BundlePacker.pack(dir, out.resolve("1.tar")).digest();
        write("app.py", "print('ho')\n");

        assertThat(BundlePacker.pack(dir, out.resolve("2.tar")).digest()).isNotEqualTo(before);
    }

    @Test
    void entriesAreSortedWithFixedOwnersAndTimesAndKeepTheExecutableBit() throws Exception {
        write("z.txt", "z");
        write("a/b/c.txt", "c");
        write("run.sh", "#!/bin/sh\n");
        Files.setPosixFilePermissions(dir.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-x---"));

        Map<String, TarArchiveEntry> entries = entries(BundlePacker.pack(dir, out.resolve("b.tar")).file());

        assertThat(entries.keySet()).containsExactly("a/", "a/b/", "a/b/c.txt", "run.sh", "z.txt");
        assertThat(entries.values()).allSatisfy(e -> {
            assertThat(e.getModTime().getTime()).isZero();
            assertThat(e.getLongUserId()).isZero();
            assertThat(e.getUserName()).isEmpty();
        });
        assertThat(entries.get("run.sh").getMode() & 0777).isEqualTo(0755);
        assertThat(entries.get("z.txt").getMode() & 0777).isEqualTo(0644);
    }

    @Test
    void dockerignoreRulesWithNegationAndDoubleStarApply() throws Exception {
        write(".dockerignore", "logs\n**/*.tmp\n!logs/keep.txt\n");
        write("app.py", "x");
        write("logs/a.log", "a");
        write("logs/keep.txt", "keep");
        write("src/deep/x.tmp", "tmp");
        write("src/deep/x.py", "py");
        write(".git/HEAD", "ref");
        write(".outpost/state.db", "db");

        Map<String, TarArchiveEntry> entries = entries(BundlePacker.pack(dir, out.resolve("b.tar")).file());

        assertThat(entries.keySet()).containsExactly(".dockerignore", "app.py", "logs/", "logs/keep.txt", "src/", "src/deep/", "src/deep/x.py");
    }

    @Test
    void outpostignoreBeatsDockerignore() throws Exception {
        write(".outpostignore", "only-outpost.txt\n");
        write(".dockerignore", "only-docker.txt\n");
        write("only-outpost.txt", "1");
        write("only-docker.txt", "2");

        Map<String, TarArchiveEntry> entries = entries(BundlePacker.pack(dir, out.resolve("b.tar")).file());

        assertThat(entries).containsKey("only-docker.txt").doesNotContainKey("only-outpost.txt");
    }

    @Test
    void contentsRoundTrip() throws Exception {
        write("data/hello.txt", "hello, world\n");
        Path tar = BundlePacker.pack(dir, out.resolve("b.tar")).file();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            String content = null;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals("data/hello.txt")) {
                    content = new String(in.readAllBytes());
                }
            }
            assertThat(content).isEqualTo("hello, world\n");
        }
    }

    @Test
    void closingTheBundleDeletesItsTemporaryFile() throws Exception {
        write("a.txt", "a");
        Bundle bundle = BundlePacker.pack(dir);
        assertThat(bundle.file()).exists();
        bundle.close();
        assertThat(bundle.file()).doesNotExist();
    }

    private void write(String rel, String content) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private static Map<String, TarArchiveEntry> entries(Path tar) throws IOException {
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        try (InputStream raw = Files.newInputStream(tar); TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }
}
