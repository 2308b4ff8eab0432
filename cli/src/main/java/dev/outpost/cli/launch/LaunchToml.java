package dev.outpost.cli.launch;

import dev.outpost.core.Quoted;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code outpost.toml} launch writes: the app, its primary region, the command when one was
 * given, one HTTP service on internal port 8080 behind ports 80 and 443 with a health check on
 * {@code /}, and one instance in each region. Written by hand rather than serialized so the file
 * reads like the documentation's example and keeps its comments.
 */
public final class LaunchToml {
    private LaunchToml() {}

    /** {@code regions} is non-empty; its first is the primary region. {@code cmd} may be null. */
    public static String render(String app, List<String> regions, String cmd) {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("launch needs at least one region");
        }
        StringBuilder b = new StringBuilder();
        b.append("# Written by `outpost launch`; edit freely. Reference: docs/architecture.md\n");
        b.append("app = ").append(quote(app)).append('\n');
        b.append("primary_region = ").append(quote(regions.getFirst())).append('\n');
        if (cmd != null && !cmd.isBlank()) {
            b.append("\n[build]\n");
            b.append("cmd = ").append(quote(cmd)).append('\n');
        }
        b.append("""

                [[services]]
                internal_port = 8080
                protocol = "tcp"

                  [[services.ports]]
                  port = 80
                  handlers = ["http"]

                  [[services.ports]]
                  port = 443
                  handlers = ["tls", "http"]

                  [services.concurrency]
                  type = "requests"
                  soft_limit = 20
                  hard_limit = 25

                  [[services.http_checks]]
                  path = "/"
                  interval = "5s"
                  timeout = "2s"
                  grace_period = "1s"

                [scale]
                """);
        b.append("regions = { ").append(regions.stream().distinct().map(r -> r + " = 1").collect(Collectors.joining(", ")))
                .append(" }\n");
        return b.toString();
    }

    /** A TOML basic string. */
    static String quote(String s) {
        return Quoted.of(s);
    }
}
