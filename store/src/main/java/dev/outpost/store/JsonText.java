package dev.outpost.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.Json;

/**
 * Values kept as JSON text in one column (configs, failures, scale maps, log tails), written and read
 * with the same {@link Json#mapper()} the API uses, so a stored value reads back equal.
 */
final class JsonText {
    private JsonText() {}

    /** {@code value} as JSON, or null for null. */
    static String write(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new StoreException("cannot write " + value.getClass().getSimpleName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code text} read as {@code type}, or null for null; {@code column} names the source in errors. */
    static <T> T read(String text, Class<T> type, String column) {
        if (text == null) {
            return null;
        }
        try {
            return Json.mapper().readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new StoreException("column " + column + " holds unreadable JSON for " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** As {@link #read(String, Class, String)}, for generic types such as {@code Map<String, Integer>}. */
    static <T> T read(String text, TypeReference<T> type, String column) {
        if (text == null) {
            return null;
        }
        try {
            return Json.mapper().readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new StoreException("column " + column + " holds unreadable JSON: " + e.getOriginalMessage(), e);
        }
    }
}
