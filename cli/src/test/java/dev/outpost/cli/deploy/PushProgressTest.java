package dev.outpost.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class PushProgressTest {
    @Test
    void showsEachLayerStateOnceAndNotesUploads() {
        StringWriter text = new StringWriter();
        PushProgress progress = new PushProgress(new PrintWriter(text));
        for (String line : new String[] {
            "The push refers to repository [127.0.0.1:7280/hello]",
            "5f70bf18a086: Preparing",
            "a3b5c80a4eba: Preparing",
            "5f70bf18a086: Pushing [=====>      ]  1.2MB/2.1MB",
            "5f70bf18a086: Pushing [==========> ]  2.0MB/2.1MB",
            "a3b5c80a4eba: Layer already exists",
            "5f70bf18a086: Pushed",
            "deployment-1: digest: sha256:" + "ab".repeat(32) + " size: 527"}) {
            progress.accept(line);
        }

        assertThat(text.toString().lines().toList()).containsExactly(
                "  The push refers to repository [127.0.0.1:7280/hello]",
                "  layer 5f70bf18a086: Preparing",
                "  layer a3b5c80a4eba: Preparing",
                "  layer 5f70bf18a086: Pushing",
                "  layer a3b5c80a4eba: Layer already exists",
                "  layer 5f70bf18a086: Pushed",
                "  deployment-1: digest: sha256:" + "ab".repeat(32) + " size: 527");
        assertThat(progress.uploaded()).isTrue();
    }

    @Test
    void aRetryCountdownIsOneState() {
        StringWriter text = new StringWriter();
        PushProgress progress = new PushProgress(new PrintWriter(text));
        progress.accept("5f70bf18a086: Retrying in 3 seconds");
        progress.accept("5f70bf18a086: Retrying in 2 seconds");
        progress.accept("5f70bf18a086: Retrying in 1 second");

        assertThat(text.toString().lines().toList()).containsExactly("  layer 5f70bf18a086: Retrying");
    }

    @Test
    void layersAlreadyInTheRegistryAreNotUploads() {
        PushProgress progress = new PushProgress(new PrintWriter(new StringWriter()));
        progress.accept("5f70bf18a086: Preparing");
        progress.accept("5f70bf18a086: Layer already exists");

        assertThat(progress.uploaded()).isFalse();
    }
}
