package dev.outpost.cli.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A packed app directory: the tar in {@code file}, its {@code digest} ({@code sha256:HEX}), its
 * size and how many files it holds. Closing it deletes the file.
 */
public record Bundle(Path file, String digest, long size, int files) implements AutoCloseable {
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the bundle " + file, e);
        }
    }
}
