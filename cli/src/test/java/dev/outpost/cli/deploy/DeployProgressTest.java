package dev.outpost.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.api.AppStatus;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeployProgressTest {
    private static final App APP = new App("hello", "iad", Map.of("iad", 2, "ams", 1), null, Instant.EPOCH);

    @Test
    void countsHealthyInstancesOfTheReleasePerRegion() {
        AppStatus status = status(
                instance("a", 2, "iad", InstanceState.STARTED, Health.PASSING),
                instance("b", 2, "iad", InstanceState.STARTING, Health.UNKNOWN),
                instance("c", 1, "iad", InstanceState.STARTED, Health.PASSING),
                instance("d", 2, "ams", InstanceState.FAILED, Health.FAILING));

        assertThat(DeployProgress.lines(status, 2)).containsExactly(
                "ams   0/1 healthy, 1 failing",
                "iad   1/2 healthy, 1 starting");
    }

    @Test
    void plainOutputRepeatsARegionOnlyWhenItChanges() {
        StringWriter out = new StringWriter();
        DeployProgress progress = new DeployProgress(new PrintWriter(out), false);

        progress.update(status(instance("a", 1, "iad", InstanceState.STARTING, Health.UNKNOWN)), 1);
        progress.update(status(instance("a", 1, "iad", InstanceState.STARTING, Health.UNKNOWN)), 1);
        progress.update(status(instance("a", 1, "iad", InstanceState.STARTED, Health.PASSING)), 1);

        assertThat(out.toString().lines().toList()).containsExactly(
                "ams   0/1 healthy",
                "iad   0/2 healthy, 1 starting",
                "iad   1/2 healthy");
    }

    @Test
    void terminalOutputRedrawsTheBlockInPlace() {
        StringWriter out = new StringWriter();
        DeployProgress progress = new DeployProgress(new PrintWriter(out), true);

        progress.update(status(), 1);
        progress.update(status(instance("a", 1, "iad", InstanceState.STARTED, Health.PASSING)), 1);

        assertThat(out.toString()).containsOnlyOnce("\u001b[2A").endsWith("\r\u001b[2Kiad   1/2 healthy\n");
    }

    private static AppStatus status(Instance... instances) {
        return new AppStatus(1, APP, null, null, List.of(instances));
    }

    private static Instance instance(String id, int release, String region, InstanceState state, Health health) {
        return new Instance(id, "hello", release, region, "h", "127.0.1.1", 8080, state, DesiredState.RUNNING, health,
                null, null, 0, List.of(), Instant.EPOCH, Instant.EPOCH);
    }
}
