package dev.outpost.lab.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.cli.CliException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabCurlCommandTest {
    @Test
    void theFirstHttpUrlAmongCurlsArgumentsDecidesTheEdgePort() throws Exception {
        assertThat(LabCurlCommand.url(List.of("-sS", "-H", "Host: x", "http://hello.outpost.localhost:8080/a", "https://other/")))
                .isEqualTo(URI.create("http://hello.outpost.localhost:8080/a"));
        assertThat(AccessLink.port(URI.create("https://hello.outpost.localhost/"))).isEqualTo(443);
        assertThat(AccessLink.port(URI.create("http://hello.outpost.localhost/"))).isEqualTo(80);
    }

    @Test
    void withoutAUrlItIsAUsageError() {
        assertThatThrownBy(() -> LabCurlCommand.url(List.of("-sS", "hello.outpost.localhost")))
                .isInstanceOf(CliException.class).hasMessageContaining("no URL")
                .extracting(e -> ((CliException) e).exitCode()).isEqualTo(CliException.USAGE);
    }
}
