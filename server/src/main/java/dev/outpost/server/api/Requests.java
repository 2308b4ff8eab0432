package dev.outpost.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;

/** Reading requests: JSON bodies with errors that say what is wrong, and blocking-query parameters. */
public final class Requests {
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    static final Duration MAX_WAIT = Duration.ofMinutes(5);

    private Requests() {}

    /** The {@code ?index=N&wait=D} of a blocking query; {@code index} 0 when absent (answer at once). */
    record Blocking(long index, Duration maxWait) {}

    public static <T> T body(Context ctx, Class<T> type) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            throw ApiException.badRequest("the request needs a JSON body (" + type.getSimpleName() + ")");
        }
        try {
            T value = Json.mapper().readValue(bytes, type);
            if (value == null) {
                throw ApiException.badRequest("the JSON body is null; expected an object (" + type.getSimpleName() + ")");
            }
            return value;
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "" : " at field " + e.getPathReference().replaceAll(".*\\[\"?([^\"\\]]+)\"?]$", "$1");
            throw ApiException.badRequest("malformed JSON body" + field + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ApiException.badRequest("malformed JSON body" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    static Blocking blocking(Context ctx) {
        String index = ctx.queryParam("index");
        String wait = ctx.queryParam("wait");
        long i = 0;
        if (index != null) {
            try {
                i = Long.parseLong(index);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("index=" + index + " is not a number (pass the index of the last answer)");
            }
        }
        Duration w = DEFAULT_WAIT;
        if (wait != null) {
            try {
                w = Durations.parse(wait);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("wait=" + wait + ": " + e.getMessage());
            }
            if (w.compareTo(MAX_WAIT) > 0) {
                w = MAX_WAIT;
            }
        }
        return new Blocking(i, w);
    }

    static int intPath(Context ctx, String name) {
        String v = ctx.pathParam(name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " \"" + v + "\" is not a number");
        }
    }
}
