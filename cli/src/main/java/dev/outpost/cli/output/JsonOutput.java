package dev.outpost.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.outpost.core.Json;
import java.io.PrintWriter;

/** {@code --json}: the value as pretty-printed JSON with the wire's field names, one document per call. */
public final class JsonOutput {
    private JsonOutput() {}

    public static void print(PrintWriter out, Object value) {
        try {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
