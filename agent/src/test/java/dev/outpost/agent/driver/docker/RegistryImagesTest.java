package dev.outpost.agent.driver.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.control.RegistryLogin;
import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceSpec;
import dev.outpost.agent.testing.OciLayoutRegistry;
import dev.outpost.agent.testing.TestDocker;
import dev.outpost.core.testing.TestRequire;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls by digest with basic auth from a registry serving an image that skopeo exported from the Engine. */
class RegistryImagesTest {
    private static final String TOKEN = "the-api-token";

    @TempDir
    static Path tmp;

    private static TestDocker docker;
    private static OciLayoutRegistry registry;
    private static DockerEngine engine;

    @BeforeAll
    static void registry() throws Exception {
        docker = TestDocker.require();
        TestRequire.component("skopeo", TestDocker.skopeo(), "skopeo is not on PATH");
        String image = docker.webImage();
        String tag = docker.docker("image", "inspect", "--format", "{{index .RepoTags 0}}", image);
        Path layout = tmp.resolve("oci");
        docker.removeLater(tag);
        Process copy = new ProcessBuilder("skopeo", "copy", "-q", "docker-daemon:" + tag, "oci:" + layout + ":latest")
                .redirectErrorStream(true).start();
        String out = new String(copy.getInputStream().readAllBytes());
        assertThat(copy.waitFor()).as(out).isZero();
        registry = new OciLayoutRegistry(layout, TOKEN);
        engine = DockerEngine.fromEnvironment();
    }

    @AfterAll
    static void close() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (docker != null) {
            docker.close();
        }
    }

    private static InstanceSpec spec(String digest) {
        return new InstanceSpec("pull1", "hello", 1, digest, null, List.of(), Map.of(), true, 8080, null);
    }

    @Test
    void pullsByDigestWithTheTokenAsPasswordOnceThenUsesWhatIsPresent() throws Exception {
        String digest = registry.manifestDigest();
        String ref = registry.host() + "/hello@" + digest;
        docker.removeLater(ref);
        RegistryImages images = new RegistryImages(engine.client(), new RegistryLogin(registry.host(), "outpost", TOKEN),
                Duration.ofMinutes(1));

        assertThat(images.localImage(spec(digest))).isEqualTo(ref);

        assertThat(docker.docker("image", "inspect", "--format", "{{json .RepoDigests}}", ref)).contains(ref);
        String basic = "Basic " + Base64.getEncoder().encodeToString(("outpost:" + TOKEN).getBytes());
        assertThat(registry.requests()).anySatisfy(r -> {
            assertThat(r.path()).isEqualTo("/v2/hello/manifests/" + digest);
            assertThat(r.authorization()).isEqualTo(basic);
        });
        int calls = registry.requests().size();
        assertThat(images.localImage(spec(digest))).isEqualTo(ref);
        assertThat(registry.requests()).as("present: not pulled again").hasSize(calls);
    }

    @Test
    void aWrongTokenFailsThePullNamingTheImageAndTheRefusal() throws Exception {
        String digest = "sha256:" + "ab".repeat(32);
        RegistryImages images = new RegistryImages(engine.client(), new RegistryLogin(registry.host(), "outpost", "wrong"),
                Duration.ofMinutes(1));

        assertThatThrownBy(() -> images.localImage(spec(digest)))
                .isInstanceOf(DriverException.class)
                .hasMessageStartingWith("pull of " + registry.host() + "/hello@" + digest + " failed: ")
                .hasMessageContaining("unauthorized: wrong token")
                .hasMessageContaining("401");
    }

    @Test
    void aDigestThatIsNoDigestIsRefusedBeforeAnyPull() {
        RegistryImages images = new RegistryImages(engine.client(), new RegistryLogin(registry.host(), "outpost", TOKEN),
                Duration.ofMinutes(1));

        assertThatThrownBy(() -> images.localImage(spec("latest")))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("\"latest\", which is not a digest");
    }
}
