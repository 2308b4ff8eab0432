package dev.outpost.agent.driver.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Whether a process still runs. {@link ProcessHandle#isAlive} says yes to a zombie, and a process
 * the agent re-adopted after a restart is not its child, so nobody reaps it when no init does (a
 * container whose first process never waits): it would stay "running", and be charged, forever.
 * Here a zombie ({@code Z}/{@code X} in {@code /proc/PID/stat}) has ended.
 */
final class Liveness {
    /** How often the end of a process that is not our child is looked for. */
    static final Duration POLL = Duration.ofMillis(50);

    private Liveness() {}

    /** True while {@code process} exists and is not a zombie. */
    static boolean running(ProcessHandle process) {
        return process.isAlive() && !zombie(process.pid());
    }

    /**
     * Completes when {@code process} ended or became a zombie: {@code onExit} alone never completes
     * for a zombie that is not our child.
     */
    static CompletableFuture<ProcessHandle> ended(ProcessHandle process) {
        CompletableFuture<ProcessHandle> ended = new CompletableFuture<>();
        process.onExit().thenAccept(ended::complete);
        Thread.ofVirtual().name("process-end-" + process.pid()).start(() -> {
            try {
                while (!ended.isDone() && running(process)) {
                    Thread.sleep(POLL);
                }
                ended.complete(process);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return ended;
    }

    /** The state letter in {@code /proc/PID/stat} is Z (zombie) or X (dead); false where there is no /proc. */
    static boolean zombie(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return false;
        }
        // "PID (comm) S ...": comm may hold spaces and parentheses, the state follows the last ")".
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return false;
        }
        char state = stat.charAt(close + 2);
        return state == 'Z' || state == 'X';
    }
}
