package dev.outpost;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.util.FileSize;
import dev.outpost.proxy.telemetry.AccessLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --access-log FILE|-} of {@code outpost proxy} and {@code outpost dev}: the edges' access log
 * ({@link AccessLog}), one JSON object per line and nothing else on it, so {@code jq} and log shippers
 * read it as it is; appended to FILE, or written to standard output. Without it the log is off, or goes
 * to the console among the other logs (with their time and level in front) when
 * {@code OUTPOST_ACCESS_LOG=INFO}.
 */
final class AccessLogOption {
    @Option(names = "--access-log", paramLabel = "FILE|-",
            description = "Write the access log, one JSON line per request, to FILE (appended, created if missing) or to "
                    + "standard output (-) (default: off; OUTPOST_ACCESS_LOG=INFO puts it among the console's logs).")
    String accessLog;

    static final int BUFFER_BYTES = 64 * 1024;
    static final long FLUSH_EVERY_MILLIS = 1000;
    private volatile FileAppender<ILoggingEvent> buffered;

    /**
     * Sends the access log where {@code --access-log} says, before any edge starts. A file that cannot be
     * opened for appending is a usage error that names it, told before anything starts.
     */
    void apply(CommandLine.Model.CommandSpec spec) {
        if (accessLog == null) {
            return;
        }
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        OutputStreamAppender<ILoggingEvent> appender;
        if (accessLog.equals("-")) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.out");
            appender = console;
        } else {
            Path file = Path.of(accessLog).toAbsolutePath().normalize();
            try {
                // Opened once here so a wrong path is told now, in words, not dropped by the logging library later.
                Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE).close();
            } catch (IOException | RuntimeException e) {
                String why = e instanceof java.nio.file.NoSuchFileException ? "its directory does not exist"
                        : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                        : e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                throw new CommandLine.ParameterException(spec.commandLine(), "--access-log " + accessLog + ": cannot append to "
                        + file + " (" + why + "); name a file in a directory that exists and is writable, or - for standard output");
            }
            FileAppender<ILoggingEvent> fileAppender = new FileAppender<>();
            fileAppender.setFile(file.toString());
            fileAppender.setAppend(true);
            // A write(2) per request on the event loop was 5% of the loops' CPU (bench/README): lines are buffered
            // and flushed every second (as nginx's `access_log … buffer=64k flush=1s`), and when the command stops.
            fileAppender.setImmediateFlush(false);
            fileAppender.setBufferSize(new FileSize(BUFFER_BYTES));
            appender = fileAppender;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        appender.setContext(context);
        appender.setName("access-log");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger logger = context.getLogger(AccessLog.LOGGER);
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        // Only there: not also among the console's logs.
        logger.setAdditive(false);
        if (appender instanceof FileAppender<ILoggingEvent> fileAppender) {
            buffered = fileAppender;
            Thread flusher = new Thread(() -> {
                while (fileAppender.isStarted()) {
                    try {
                        Thread.sleep(FLUSH_EVERY_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    flush();
                }
            }, "outpost-access-log-flush");
            flusher.setDaemon(true);
            flusher.start();
        }
    }

    /** Writes out the lines still buffered; the commands call it once their edges have closed, so the last requests are in the file. */
    void flush() {
        FileAppender<ILoggingEvent> appender = buffered;
        if (appender == null || !appender.isStarted()) {
            return;
        }
        OutputStream out = appender.getOutputStream();
        if (out == null) {
            return;
        }
        try {
            // The appender's buffered stream locks its own writes, so this may run beside the event loops'.
            out.flush();
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(AccessLogOption.class).warn("the access log {} could not be written: {}", accessLog, e.getMessage());
        }
    }
}
