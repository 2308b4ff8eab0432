package dev.outpost.cli.deploy;

import dev.outpost.core.config.AppConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One deploy: the app directory to pack, the app to deploy to, its parsed {@code outpost.toml},
 * whether to return as soon as the release exists ({@code detach}) and how long to follow it.
 */
public record DeployRequest(Path dir, String app, AppConfig config, boolean detach, Duration waitTimeout) {
    public DeployRequest {
        config = config.withApp(app);
    }
}
