package dev.outpost.proxy.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Netty's leak detector reported a leaked buffer while it ran (or after an earlier
 * class, whose garbage it collected). Registered for every test of this module by JUnit's extension
 * autodetection (src/test/resources). The surefire argLine sets detection to {@code paranoid}: every buffer
 * is tracked. A leak is only seen once the buffer is garbage collected and a later allocation polls the
 * detector, so {@link #reported()} collects garbage and allocates, a bounded number of times.
 */
public final class LeakCheck implements AfterAllCallback {
    private static final List<String> REPORTS = new ArrayList<>();
    private static final int ROUNDS = 3;

    static {
        Logger detector = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        // Netty reports at ERROR, and only when that level is on for its logger.
        detector.setLevel(Level.ERROR);
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.ERROR) && event.getFormattedMessage().contains("LEAK")) {
                    synchronized (REPORTS) {
                        REPORTS.add(event.getFormattedMessage());
                    }
                }
            }
        };
        capture.setName("leak-check");
        capture.setContext(detector.getLoggerContext());
        capture.start();
        detector.addAppender(capture);
    }

    /** Collects garbage, lets the detector look at it, and returns (and forgets) the leaks reported so far. */
    public static List<String> reported() {
        return reported(ROUNDS);
    }

    /** As {@link #reported()}, with {@code rounds} of collecting, bounded, stopping at the first report. */
    public static List<String> reported(int rounds) {
        for (int i = 0; i < rounds && !anyReported(); i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            // Each tracked allocation polls the detector's queue of collected buffers.
            for (int j = 0; j < 4; j++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(1);
                probe.release();
            }
        }
        synchronized (REPORTS) {
            List<String> all = List.copyOf(REPORTS);
            REPORTS.clear();
            return all;
        }
    }

    private static boolean anyReported() {
        synchronized (REPORTS) {
            return !REPORTS.isEmpty();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("Netty leak detection is " + ResourceLeakDetector.getLevel()
                    + " in " + context.getDisplayName() + ": the proxy's tests run at PARANOID (-Dio.netty.leakDetection.level=paranoid)");
        }
        List<String> leaks = reported();
        if (!leaks.isEmpty()) {
            List<String> shown = new ArrayList<>(leaks.subList(0, Math.min(3, leaks.size())));
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported during or before " + context.getDisplayName()
                    + ":\n" + String.join("\n\n", shown));
        }
    }
}
