package dev.outpost.cli.command;

import dev.outpost.cli.CliException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.cli.deploy.DeployReport;
import dev.outpost.cli.deploy.DeployRequest;
import dev.outpost.cli.deploy.DeployResult;
import dev.outpost.cli.deploy.Deployer;
import dev.outpost.cli.launch.AppNames;
import dev.outpost.cli.launch.LaunchToml;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.RegionInfo;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.ConfigParser;
import dev.outpost.core.model.App;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code outpost launch}: writes {@code outpost.toml} when the directory has none, creates the app,
 * then deploys it. With an existing {@code outpost.toml} it uses that file, and an app that already
 * exists under its name is taken as this app's.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = "Create an app from this directory (writing outpost.toml if absent) and deploy it.")
public final class LaunchCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Option(names = "--name", paramLabel = "NAME", description = "The app name (default: the directory's name).")
    String name;

    @Option(names = "--region", paramLabel = "R", split = ",",
            description = "Regions to run in, the first is primary (default: the server's first region).")
    List<String> regions = new ArrayList<>();

    @Option(names = "--cmd", paramLabel = "COMMAND", description = "The command that starts the app (process driver).")
    String cmd;

    @Option(names = "--dir", paramLabel = "DIR", description = "The app's directory (default: the working directory).")
    Path dir;

    @Option(names = "--detach", description = "Return once the release is created.")
    boolean detach;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to follow the deploy (default: deploy.wait_timeout + 30s).")
    Duration waitTimeout;

    @Option(names = "--json", description = "Print the outcome as JSON (progress goes to stderr).")
    boolean json;

    public LaunchCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        Path appDir = env.resolve(dir);
        if (!Files.isDirectory(appDir)) {
            throw new CliException(appDir + " is not a directory");
        }
        if (name != null && App.checkName(name) != null) {
            throw new ParameterException(spec.commandLine(), "--name: " + App.checkName(name));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = json ? spec.commandLine().getErr() : out;
        Path toml = appDir.resolve(AppOptions.TOML);
        AppConfig existing = Files.isRegularFile(toml) ? ConfigParser.parse(toml) : null;
        try (ApiClient api = env.client()) {
            String app;
            AppConfig config;
            if (existing != null) {
                app = name != null ? name : existing.app();
                if (app == null) {
                    throw new ParameterException(spec.commandLine(), toml + " names no app: add app = \"NAME\" to it or pass --name");
                }
                progress.println("using the existing " + toml + " (app " + app + ")");
                List<String> chosen = chooseRegions(api);
                String primary = existing.primaryRegion() != null ? existing.primaryRegion() : chosen.getFirst();
                createApp(api, app, primary, true, progress);
                if (!regions.isEmpty()) {
                    scaleInto(api, app, chosen, existing, progress);
                }
                config = existing;
            } else {
                app = name != null ? name : AppNames.fromDirectory(appDir.getFileName() == null ? "" : appDir.getFileName().toString());
                List<String> chosen = chooseRegions(api);
                createApp(api, app, chosen.getFirst(), false, progress);
                write(toml, LaunchToml.render(app, chosen, cmd));
                progress.println("wrote " + toml);
                config = ConfigParser.parse(toml);
            }
            Duration wait = waitTimeout != null ? waitTimeout : config.deploy().waitTimeout().plus(DeployCommand.DEADLINE_SLACK);
            DeployResult result = new Deployer(api, progress, env.interactive() && !json)
                    .deploy(new DeployRequest(appDir, app, config, detach, wait));
            return DeployReport.print(result, out, json, env.devEdge());
        }
    }

    /** {@code --region} checked against the server's regions, or the server's first region. */
    private List<String> chooseRegions(ApiClient api) throws ApiException, CliException {
        List<String> served = api.regions().stream().map(RegionInfo::code).toList();
        if (regions.isEmpty()) {
            if (served.isEmpty()) {
                throw new CliException("the server has no regions to run the app in");
            }
            return List.of(served.getFirst());
        }
        List<String> chosen = new ArrayList<>(new LinkedHashSet<>(regions.stream().map(String::trim).filter(r -> !r.isEmpty()).toList()));
        for (String r : chosen) {
            if (!served.contains(r)) {
                throw new CliException("region " + r + " is not served by this Outpost (it has " + String.join(", ", served) + ")");
            }
        }
        if (chosen.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--region names no region");
        }
        return chosen;
    }

    /**
     * {@code --region} with an existing outpost.toml: run in those regions, with the toml's count
     * where it names the region, else one instance.
     */
    private static void scaleInto(ApiClient api, String app, List<String> chosen, AppConfig config, PrintWriter progress)
            throws ApiException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String r : chosen) {
            counts.put(r, config.scale().regions().getOrDefault(r, 1));
        }
        api.scale(app, new ScaleRequest(counts));
        progress.println("scaled " + app + " to " + counts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ")));
    }

    private static void createApp(ApiClient api, String app, String primary, boolean mayExist, PrintWriter progress)
            throws ApiException, CliException {
        try {
            api.createApp(new CreateAppRequest(app, primary));
            progress.println("created app " + app + " (primary region " + primary + ")");
        } catch (ApiException e) {
            if (e.status() != 409) {
                throw e;
            }
            if (!mayExist) {
                throw new CliException("app " + app + " already exists: pick another name with --name, "
                        + "or deploy to it with `outpost deploy --app " + app + "`");
            }
            progress.println("app " + app + " already exists, deploying to it");
        }
    }

    private static void write(Path toml, String content) throws CliException {
        try {
            // CREATE_NEW: never overwrite a file that appeared since we looked
            Files.writeString(toml, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CliException("cannot write " + toml + ": " + e.getMessage(), e);
        }
    }
}
