package dev.outpost.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ImagePublisherTest {
    @Test
    void registryIsTheApisHostAndPort() {
        assertThat(ImagePublisher.registryOf(URI.create("http://127.0.0.1:7280"))).isEqualTo("127.0.0.1:7280");
        assertThat(ImagePublisher.registryOf(URI.create("https://outpost.example.com"))).isEqualTo("outpost.example.com");
        assertThat(ImagePublisher.registryOf(URI.create("http://[::1]:7280"))).isEqualTo("[::1]:7280");
    }

    @Test
    void tagsAreValidDockerTagsThatDifferPerDeploy() {
        Instant now = Instant.parse("2025-01-02T03:04:05Z");
        String a = ImagePublisher.tag(now);

        assertThat(a).matches("deployment-20250102-030405-[0-9a-z]{4}").matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
        assertThat(ImagePublisher.tag(now)).isNotEqualTo(a);
    }
}
