package dev.outpost.proxy.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.proxy.telemetry.AccessLog;
import java.io.UncheckedIOException;
import org.slf4j.LoggerFactory;

/** The edge's access log lines ({@link AccessLog#LOGGER}) written while it is open, as JSON. */
public final class AccessLines implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public AccessLines() {
        appender.start();
        logger.addAppender(appender);
    }

    public int size() {
        return appender.list.size();
    }

    /** The {@code index}th line, in the order written. */
    public JsonNode get(int index) {
        try {
            return Json.mapper().readTree(appender.list.get(index).getFormattedMessage());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("access log line " + index + " is not JSON", e);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
