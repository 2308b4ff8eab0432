package dev.outpost.core.api;

import java.util.List;
import java.util.Map;

/**
 * {@code PATCH /v1/apps/{app}/secrets}: the secrets to set (name → value) and the names to unset,
 * applied together as one new secrets version (and one new release when the app has one).
 */
public record ChangeSecretsRequest(Map<String, String> set, List<String> unset) {
    public ChangeSecretsRequest {
        set = set == null ? Map.of() : set;
        unset = unset == null ? List.of() : unset;
    }

    @Override
    public String toString() {
        // values never reach a log line through this record
        return "ChangeSecretsRequest[set=" + set.keySet() + ", unset=" + unset + "]";
    }
}
