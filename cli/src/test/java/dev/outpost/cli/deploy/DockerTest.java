package dev.outpost.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.cli.testing.DockerFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerTest {
    @TempDir
    Path dir;

    @Test
    void buildTagsTheImageForTheRegistryAndRemovesFailedStepContainers() {
        assertThat(Docker.buildCommand("docker", Path.of("/app/Dockerfile.prod"), Path.of("/app"), "127.0.0.1:7280/hello:deployment-1"))
                .containsExactly("docker", "build", "--force-rm", "-f", "/app/Dockerfile.prod", "-t", "127.0.0.1:7280/hello:deployment-1", "/app");
    }

    @Test
    void pushUsesItsOwnConfigDirectoryNotTheUsers() {
        assertThat(Docker.pushCommand("docker", Path.of("/tmp/outpost-docker-1"), "127.0.0.1:7280/hello:deployment-1"))
                .containsExactly("docker", "--config", "/tmp/outpost-docker-1", "push", "127.0.0.1:7280/hello:deployment-1");
        assertThat(Docker.tagCommand("docker", "hello:1", "127.0.0.1:7280/hello:deployment-1"))
                .containsExactly("docker", "tag", "hello:1", "127.0.0.1:7280/hello:deployment-1");
    }

    @Test
    void missingDockerSaysItIsNotInstalled() {
        Docker docker = new Docker(dir.resolve("no-such-docker").toString(), Map.of());

        assertThatThrownBy(docker::requireDaemon).isInstanceOf(DockerException.class)
                .hasMessageContaining("docker is not installed").hasMessageContaining("no-such-docker").hasMessageContaining("[build] cmd");
    }

    @Test
    void daemonDownSaysSoAndHowToStartIt() {
        DockerFixture.require();
        Docker docker = new Docker("docker", Map.of("DOCKER_HOST", "unix://" + dir.resolve("no-daemon.sock")));

        assertThatThrownBy(docker::requireDaemon).isInstanceOf(DockerException.class)
                .hasMessageContaining("the Docker daemon is not answering").hasMessageContaining("no-daemon.sock")
                .hasMessageContaining("systemctl start docker");
    }

    @Test
    void runningDaemonPassesAndUnknownImagesAreReportedMissing() throws Exception {
        DockerFixture.require();
        Docker docker = Docker.onPath();

        docker.requireDaemon();

        assertThat(docker.imageExists(DockerFixture.BASE_IMAGE)).isTrue();
        assertThat(docker.imageExists("outpost-test-absent/nothing:0")).isFalse();
    }

    @Test
    void failedBuildStreamsItsOutputAndSaysNothingWasPushed() throws Exception {
        DockerFixture.require();
        java.nio.file.Files.writeString(dir.resolve("Dockerfile"), "FROM " + DockerFixture.BASE_IMAGE + "\nRUN echo outpost-test-step-ran && exit 3\n");
        List<String> lines = new ArrayList<>();

        assertThatThrownBy(() -> Docker.onPath().build(dir.resolve("Dockerfile"), dir, "outpost-test-never:1", lines::add))
                .isInstanceOf(DockerException.class)
                .hasMessageContaining("failed with exit code").hasMessageContaining("nothing was pushed or deployed")
                .satisfies(e -> assertThat(((DockerException) e).tail()).anyMatch(l -> l.contains("outpost-test-step-ran")));
        assertThat(lines).anyMatch(l -> l.contains("outpost-test-step-ran")).anyMatch(l -> l.contains("returned a non-zero code: 3"));
        assertThat(Docker.onPath().imageExists("outpost-test-never:1")).isFalse();
    }
}
