package dev.outpost.server.scheduler;

import dev.outpost.core.config.AppConfig;
import java.util.Locale;

/**
 * How a deploy replaces one release's instances with the next's (DESIGN §7), read from the target
 * release's {@code [deploy] strategy}. In every strategy an old instance is destroyed only for a new
 * one that passes its checks, so serving capacity never drops; they differ in how many new
 * instances may be pending at once and in when the old ones go.
 *
 * <ul>
 *   <li>{@code rolling}: per region, at most {@link #batch} new instances pending at once.
 *   <li>{@code immediate}: every new instance at once.
 *   <li>{@code bluegreen}: a full new set in every region; the old set keeps all the traffic until
 *       every new instance is healthy, then the release switches in one write and the old set goes.
 *   <li>{@code canary}: one new instance first; once it is healthy, rolling for the rest.
 * </ul>
 */
public enum DeployStrategy {
    ROLLING, IMMEDIATE, BLUEGREEN, CANARY;

    /**
     * The strategy a release's config names. The config parser accepts only the four names; a
     * stored config from elsewhere with another name gets rolling, the default, rather than
     * stopping the scheduler for every app.
     */
    public static DeployStrategy of(AppConfig.Deploy deploy) {
        if (deploy == null || deploy.strategy() == null) {
            return ROLLING;
        }
        return switch (deploy.strategy().toLowerCase(Locale.ROOT)) {
            case "immediate" -> IMMEDIATE;
            case "bluegreen" -> BLUEGREEN;
            case "canary" -> CANARY;
            default -> ROLLING;
        };
    }

    /**
     * How many new instances a rolling step may have pending in a region that wants {@code desired}:
     * {@code max_unavailable} below 1 is a fraction of {@code desired}, rounded down but at least 1;
     * 1 or more is a count.
     */
    public static int batch(AppConfig.Deploy deploy, int desired) {
        double mu = deploy == null ? AppConfig.Deploy.DEFAULT.maxUnavailable() : deploy.maxUnavailable();
        if (mu < 1) {
            return Math.max(1, (int) Math.floor(mu * desired));
        }
        return Math.max(1, (int) Math.floor(mu));
    }
}
