package dev.outpost.core.api;

import dev.outpost.core.model.Release;
import java.util.List;

/**
 * The answer to a secrets change: the app's secrets now (no values), and the release that rolls
 * them out — null when nothing changed or the app has no release yet (the next deploy takes them).
 */
public record SecretsChange(List<SecretInfo> secrets, Release release) {
    public SecretsChange {
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }
}
