package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.ConfigException;
import dev.outpost.core.config.ConfigParser;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --app} and {@code --dir}, shared by every command that works on one app. The app is
 * {@code --app}, else the {@code app} of {@code outpost.toml} in {@code --dir} (default: the
 * working directory); with neither it is wrong usage.
 */
public final class AppOptions {
    public static final String TOML = "outpost.toml";
    static final String NO_APP = "no app given: pass --app NAME or run in a directory with outpost.toml";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--app", paramLabel = "NAME", description = "The app (default: the app of outpost.toml).")
    String app;

    @Option(names = "--dir", paramLabel = "DIR", description = "The app's directory (default: the working directory).")
    Path dir;

    /** The app directory, absolute. */
    public Path dir(Environment env) {
        return env.resolve(dir);
    }

    /** The {@code outpost.toml} of the app directory, whether or not it exists. */
    public Path toml(Environment env) {
        return dir(env).resolve(TOML);
    }

    /** The app meant: {@code --app}, else the toml's {@code app}; a bad toml is the user's to fix (exit 1). */
    public String app(Environment env) throws ConfigException {
        if (app != null && !app.isBlank()) {
            return app;
        }
        Path toml = toml(env);
        if (Files.isRegularFile(toml)) {
            AppConfig config = ConfigParser.parse(toml);
            if (config.app() != null) {
                return config.app();
            }
        }
        throw new ParameterException(spec.commandLine(), NO_APP);
    }

    /**
     * The app of a command that also takes it as an argument ({@code outpost budget show [APP]}):
     * {@code positional} when given (it must agree with {@code --app}), else {@link #app(Environment)}.
     */
    public String app(Environment env, String positional) throws ConfigException {
        if (positional == null) {
            return app(env);
        }
        if (explicitApp() != null && !explicitApp().equals(positional)) {
            throw new ParameterException(spec.commandLine(), "two apps given, " + positional + " and --app " + explicitApp() + ": name one");
        }
        return positional;
    }

    /** {@code --app} as given, or null. */
    public String explicitApp() {
        return app == null || app.isBlank() ? null : app;
    }

    /** The app for a config already read: {@code --app}, else its {@code app}, else wrong usage. */
    public String app(AppConfig config) {
        if (explicitApp() != null) {
            return explicitApp();
        }
        if (config.app() != null) {
            return config.app();
        }
        throw new ParameterException(spec.commandLine(), NO_APP);
    }
}
