package dev.outpost.cli.deploy;

import dev.outpost.core.config.AppConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One deploy: the app directory to pack (or to build the image in), the app to deploy to, its
 * parsed {@code outpost.toml}, whether to return as soon as the release exists ({@code detach})
 * and how long to follow it.
 */
public record DeployRequest(Path dir, String app, AppConfig config, boolean detach, Duration waitTimeout) {
    public DeployRequest {
        config = config.withApp(app);
    }

    /**
     * This deploy with the local image {@code image} ({@code --image REF}) in place of whatever
     * {@code [build]} says; this deploy itself when {@code image} is null.
     */
    public DeployRequest withImage(String image) throws DeployException {
        if (image == null) {
            return this;
        }
        if (image.isBlank()) {
            throw new DeployException("--image is empty: give a local image reference, e.g. --image hello:1");
        }
        return new DeployRequest(dir, app, buildingImage(config, image), detach, waitTimeout);
    }

    /** {@code config} whose {@code [build]} is the image {@code reference} alone. */
    public static AppConfig buildingImage(AppConfig config, String reference) {
        return new AppConfig(config.app(), config.primaryRegion(), new AppConfig.Build(null, reference, List.of()), config.env(),
                config.services(), config.scale(), config.deploy(), config.vm(), config.budget());
    }
}
