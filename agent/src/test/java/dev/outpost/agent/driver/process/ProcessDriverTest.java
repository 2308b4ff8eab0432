package dev.outpost.agent.driver.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceHandle;
import dev.outpost.agent.driver.InstanceSpec;
import dev.outpost.agent.testing.Bundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessDriverTest {
    private static final String ADDRESS = "127.0.0.1";

    @TempDir
    Path dataDir;

    private final List<String> started = new ArrayList<>();
    private ProcessDriver driver;

    @AfterEach
    void stopEverything() throws DriverException {
        for (String id : started) {
            driver.stop(id, Duration.ofSeconds(1));
        }
    }

    private InstanceHandle start(String id, Path bundle, Map<String, String> env, String... command) throws DriverException {
        if (driver == null) {
            driver = new ProcessDriver(dataDir, ADDRESS);
        }
        started.add(id);
        return driver.start(new InstanceSpec(id, "hello", 1, bundle == null ? null : Bundles.digest(new byte[0]), bundle,
                List.of(command), env));
    }

    @Test
    void capturesExitCodeAndLogTailOfStdoutAndStderr() throws Exception {
        InstanceHandle h = start("exit7", null, Map.of(), "sh", "-c", "echo one; echo two >&2; exit 7");

        assertThat(h.exited().get(10, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(h.logTail(50)).containsExactly("one", "two");
        assertThat(h.logTail(1)).containsExactly("two");
        assertThat(Files.readString(dataDir.resolve("instances/exit7/output.log"))).isEqualTo("one\ntwo\n");
    }

    @Test
    void givesTheInstancePortPrivateIpAndAssignedEnvironment() throws Exception {
        InstanceHandle h = start("envy", null, Map.of("OUTPOST_APP", "hello", "GREETING", "hi"),
                "sh", "-c", "echo PORT=$PORT; echo IP=$OUTPOST_PRIVATE_IP; echo APP=$OUTPOST_APP; echo GREETING=$GREETING");

        assertThat(h.exited().get(10, TimeUnit.SECONDS)).isZero();
        assertThat(h.port()).isBetween(1, 65535);
        assertThat(h.logTail(50)).containsExactly("PORT=" + h.port(), "IP=" + ADDRESS, "APP=hello", "GREETING=hi");
    }

    @Test
    void unpacksTheBundleAndRunsTheCommandInsideIt() throws Exception {
        Path bundle = dataDir.resolve("bundle.tar");
        Files.write(bundle, Bundles.tar(Map.of("bin/run.sh", "#!/bin/sh\necho ran in $(pwd)\n", "data.txt", "payload\n")));

        InstanceHandle h = start("unpacked", bundle, Map.of(), "./bin/run.sh");

        assertThat(h.exited().get(10, TimeUnit.SECONDS)).isZero();
        Path dir = dataDir.resolve("instances/unpacked");
        assertThat(h.logTail(5)).containsExactly("ran in " + dir.toRealPath());
        assertThat(dir.resolve("data.txt")).hasContent("payload");
    }

    @Test
    void stopTerminatesTheProcessAndAllItsDescendants() throws Exception {
        InstanceHandle h = start("tree", null, Map.of(), "sh", "-c", "sleep 300 & echo $! > child.pid; wait");
        Path pidFile = dataDir.resolve("instances/tree/child.pid");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long childPid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();

        driver.stop("tree", Duration.ofSeconds(5));

        assertThat(h.exited()).isDone();
        await().atMost(Duration.ofSeconds(5)).until(() -> !child.isAlive());
        assertThat(driver.list()).isEmpty();
    }

    @Test
    void stopKillsAProcessThatIgnoresSigtermAfterTheTimeout() throws Exception {
        InstanceHandle h = start("stubborn", null, Map.of(), "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done");
        await().atMost(Duration.ofSeconds(10)).until(() -> h.logTail(1).contains("ready"));

        driver.stop("stubborn", Duration.ofMillis(300));

        assertThat(h.exited().get(5, TimeUnit.SECONDS)).isEqualTo(128 + 9);
    }

    @Test
    void aNewDriverReadoptsTheRunningInstanceAndCanStopIt() throws Exception {
        InstanceHandle h = start("adoptee", null, Map.of(), "sh", "-c", "echo up; exec sleep 300");
        await().atMost(Duration.ofSeconds(10)).until(() -> h.logTail(1).contains("up"));

        ProcessDriver restarted = new ProcessDriver(dataDir, ADDRESS);
        List<InstanceHandle> found = restarted.list();

        assertThat(found).singleElement().satisfies(a -> {
            assertThat(a.instanceId()).isEqualTo("adoptee");
            assertThat(a.port()).isEqualTo(h.port());
            assertThat(a.logTail(5)).containsExactly("up");
        });
        restarted.stop("adoptee", Duration.ofSeconds(5));
        assertThat(found.getFirst().exited().get(5, TimeUnit.SECONDS)).isNull();
        // The first driver's own handle learns of its child's end from the JDK's reaper thread, a moment later.
        await().atMost(Duration.ofSeconds(5)).until(() -> h.exited().isDone());
        assertThat(new ProcessDriver(dataDir, ADDRESS).list()).isEmpty();
    }

    @Test
    void aZombieLeftBehindCountsAsStoppedAndAnAdoptedProcessThatBecomesOneHasEnded() throws Exception {
        // sh forks a short sleep, then becomes a long one that never reaps it: the short one turns zombie.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 1.5 & exec sleep 300").start();
        try {
            ProcessHandle child = await().atMost(Duration.ofSeconds(10))
                    .until(() -> parent.toHandle().children().findFirst(), java.util.Optional::isPresent).orElseThrow();
            writeRecord("adopted-then-zombie", child);
            ProcessDriver restarted = new ProcessDriver(dataDir, ADDRESS);

            List<InstanceHandle> found = restarted.list();
            assertThat(found).singleElement().satisfies(h -> assertThat(h.instanceId()).isEqualTo("adopted-then-zombie"));
            assertThat(found.getFirst().exited().get(10, TimeUnit.SECONDS)).isNull();
            assertThat(child.isAlive()).as("the JDK still calls the zombie alive").isTrue();
            assertThat(Liveness.zombie(child.pid())).isTrue();

            // A driver that starts after the process became a zombie does not adopt it at all.
            writeRecord("zombie-already", child);
            assertThat(new ProcessDriver(dataDir, ADDRESS).list()).isEmpty();
        } finally {
            parent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private void writeRecord(String id, ProcessHandle process) throws Exception {
        Path dir = dataDir.resolve("instances").resolve(id);
        Files.createDirectories(dir);
        dev.outpost.core.Json.mapper().writeValue(dir.resolve(ProcessDriver.RECORD_FILE).toFile(), new InstanceRecord(id, "hello", 1,
                process.pid(), process.info().startInstant().orElseThrow(), ADDRESS, 1));
    }

    @Test
    void destroyStopsAndRemovesTheInstanceDirectory() throws Exception {
        InstanceHandle h = start("doomed", null, Map.of(), "sh", "-c", "exec sleep 300");

        driver.destroy("doomed");

        assertThat(h.exited().get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(dataDir.resolve("instances/doomed")).doesNotExist();
    }

    @Test
    void destroyRefusesAnIdThatIsNotAPlainName() throws Exception {
        driver = new ProcessDriver(dataDir, ADDRESS);
        Path precious = Files.createDirectories(dataDir.resolve("blobs"));

        assertThatThrownBy(() -> driver.destroy("../blobs"))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("is not a plain name");
        assertThat(precious).exists();
    }

    @Test
    void refusesAnInstanceWithoutCommand() {
        assertThatThrownBy(() -> start("nocmd", null, Map.of()))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("instance nocmd of hello v1 has no command");
    }
}
