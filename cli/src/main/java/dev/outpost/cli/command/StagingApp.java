package dev.outpost.cli.command;

import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code outpost deploy --env staging}: the app deploys as {@code <app>-staging}, a separate app
 * created on first use in the production app's primary region. {@code outpost promote} later takes
 * the exact artifact it runs to production.
 */
final class StagingApp {
    static final String STAGING = "staging";
    static final String PRODUCTION = "production";

    private StagingApp() {}

    /** The app {@code --env} deploys to: {@code app} for production (or no {@code --env}), {@code app-staging} for staging. */
    static String name(CommandSpec spec, String app, String environment) {
        if (environment == null || environment.equals(PRODUCTION)) {
            return app;
        }
        if (!environment.equals(STAGING)) {
            throw new ParameterException(spec.commandLine(), "--env " + environment + " is not an environment: use staging (or production,"
                    + " the default)");
        }
        String staging = app + "-" + STAGING;
        String problem = App.checkName(staging);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), "cannot deploy " + app + " to staging: " + problem);
        }
        return staging;
    }

    /**
     * Creates {@code staging} when it does not exist, in the primary region of {@code production} (else
     * the toml's, else the server's first region).
     */
    static void ensure(ApiClient api, String staging, String production, AppConfig config, PrintWriter out) throws ApiException {
        try {
            api.app(staging);
            return;
        } catch (ApiException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
        String primary = config.primaryRegion();
        try {
            primary = api.app(production).primaryRegion();
        } catch (ApiException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
        App created = api.createApp(new CreateAppRequest(staging, primary));
        out.println("created app " + created.name() + " in " + created.primaryRegion() + " for staging; `outpost promote " + staging + " "
                + production + "` takes what it runs to production");
        out.flush();
    }
}
