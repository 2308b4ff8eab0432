package dev.outpost.core.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.outpost.core.Durations;
import dev.outpost.core.model.App;
import dev.outpost.core.model.VmSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates {@code outpost.toml}. Every key is checked against the v1 shape of DESIGN
 * §4; the first problem found is thrown as a {@link ConfigException} naming key and line.
 */
public final class ConfigParser {
    public static final Set<String> HANDLERS = Set.of("tls", "http", "proxy_proto");
    private static final Set<List<String>> HANDLER_CHAINS = Set.of(List.of(), List.of("tls"), List.of("http"),
            List.of("tls", "http"), List.of("proxy_proto"), List.of("tls", "proxy_proto"));
    public static final Set<String> STRATEGIES = Set.of("rolling", "immediate", "bluegreen", "canary");
    private static final Pattern REGION = Pattern.compile("[a-z][a-z0-9]{1,7}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern VM_SIZE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final TomlMapper TOML = new TomlMapper();

    private final String file;
    private final TomlLocator locator;

    private ConfigParser(String file, String source) {
        this.file = file;
        this.locator = new TomlLocator(source);
    }

    /** Reads and validates the file at {@code path}. */
    public static AppConfig parse(Path path) throws ConfigException {
        String source;
        try {
            source = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException(path.toString(), null, 0, "cannot read: " + e.getMessage());
        }
        return parse(path.getFileName().toString(), source);
    }

    /** Validates {@code source}; {@code file} is the name used in messages. */
    public static AppConfig parse(String file, String source) throws ConfigException {
        JsonNode root;
        try {
            root = TOML.readTree(source);
        } catch (JacksonException e) {
            JsonLocation loc = e.getLocation();
            int line = loc == null ? 0 : loc.getLineNr();
            throw new ConfigException(file, null, Math.max(line, 0), "invalid TOML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            root = TOML.createObjectNode();
        }
        return new ConfigParser(file, source).config(root);
    }

    private AppConfig config(JsonNode root) throws ConfigException {
        table(root, "", Set.of("app", "primary_region", "build", "env", "services", "scale", "deploy", "vm", "budget"));
        String app = string(root, "app", null);
        if (app != null) {
            String problem = App.checkName(app);
            if (problem != null) {
                throw error("app", problem);
            }
        }
        String primary = region(root, "primary_region", "primary_region");
        return new AppConfig(app, primary, build(root.get("build")), env(root.get("env")), services(root.get("services")),
                scale(root.get("scale")), deploy(root.get("deploy")), vm(root.get("vm")), budget(root.get("budget")));
    }

    private AppConfig.Build build(JsonNode n) throws ConfigException {
        if (n == null) {
            return null;
        }
        table(n, "build", Set.of("dockerfile", "image", "cmd"));
        String dockerfile = string(n, "dockerfile", "build.dockerfile");
        String image = string(n, "image", "build.image");
        List<String> cmd = List.of();
        JsonNode c = n.get("cmd");
        if (c != null) {
            if (c.isTextual()) {
                if (c.asText().isBlank()) {
                    throw error("build.cmd", "is empty");
                }
                cmd = List.of("sh", "-c", c.asText());
            } else if (c.isArray() && !c.isEmpty()) {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < c.size(); i++) {
                    if (!c.get(i).isTextual()) {
                        throw error("build.cmd[" + i + "]", "expected a string, got " + kind(c.get(i)));
                    }
                    parts.add(c.get(i).asText());
                }
                cmd = parts;
            } else {
                throw error("build.cmd", "expected a command string or a non-empty array of strings, got " + kind(c));
            }
        }
        int given = (dockerfile != null ? 1 : 0) + (image != null ? 1 : 0) + (cmd.isEmpty() ? 0 : 1);
        if (given > 1) {
            throw error("build", "set only one of dockerfile, image and cmd");
        }
        return new AppConfig.Build(dockerfile, image, cmd);
    }

    private Map<String, String> env(JsonNode n) throws ConfigException {
        if (n == null) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw error("env", "expected a table, got " + kind(n));
        }
        Map<String, String> env = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = "env." + e.getKey();
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                throw error(key, "is not a valid environment variable name");
            }
            if (e.getKey().equals("PORT") || e.getKey().startsWith("OUTPOST_")) {
                throw error(key, "is set by Outpost for every instance and cannot be overridden");
            }
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull()) {
                throw error(key, "expected a string, number or boolean, got " + kind(v));
            }
            env.put(e.getKey(), v.asText());
        }
        return env;
    }

    private List<AppConfig.Service> services(JsonNode n) throws ConfigException {
        if (n == null) {
            return List.of();
        }
        if (!n.isArray()) {
            throw error("services", "expected an array of tables ([[services]]), got " + kind(n));
        }
        List<AppConfig.Service> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            AppConfig.Service service = service(n.get(i), "services[" + i + "]");
            for (AppConfig.Service other : out) {
                // Every driver exposes one port per instance (the process driver's PORT), so services share it.
                if (other.internalPort() != service.internalPort()) {
                    throw error("services[" + i + "].internal_port", service.internalPort() + " differs from "
                            + other.internalPort() + " of an earlier service (one internal_port per app is supported)");
                }
                for (AppConfig.Port p : service.ports()) {
                    if (other.ports().stream().anyMatch(q -> q.port() == p.port())) {
                        throw error("services[" + i + "].ports", "port " + p.port() + " is already used by an earlier service");
                    }
                }
            }
            out.add(service);
        }
        return out;
    }

    private AppConfig.Service service(JsonNode n, String at) throws ConfigException {
        table(n, at, Set.of("internal_port", "protocol", "ports", "concurrency", "http_checks", "tcp_checks", "http_options"));
        if (n.get("internal_port") == null) {
            throw error(at + ".internal_port", "is required (the port your app listens on)");
        }
        int internal = port(n, "internal_port", at + ".internal_port");
        String protocol = string(n, "protocol", at + ".protocol");
        if (protocol == null) {
            protocol = "tcp";
        } else if (!protocol.equals("tcp")) {
            throw error(at + ".protocol", "\"" + protocol + "\" is not supported (expected \"tcp\")");
        }
        List<AppConfig.Port> ports = new ArrayList<>();
        JsonNode ps = n.get("ports");
        if (ps != null) {
            if (!ps.isArray()) {
                throw error(at + ".ports", "expected an array of tables ([[services.ports]]), got " + kind(ps));
            }
            for (int j = 0; j < ps.size(); j++) {
                String pat = at + ".ports[" + j + "]";
                JsonNode p = ps.get(j);
                table(p, pat, Set.of("port", "handlers", "proxy_proto_options", "idle_timeout"));
                if (p.get("port") == null) {
                    throw error(pat + ".port", "is required");
                }
                int port = port(p, "port", pat + ".port");
                List<String> handlers = new ArrayList<>();
                JsonNode hs = p.get("handlers");
                if (hs != null) {
                    if (!hs.isArray()) {
                        throw error(pat + ".handlers", "expected an array of strings, got " + kind(hs));
                    }
                    for (int k = 0; k < hs.size(); k++) {
                        String h = hs.get(k).asText();
                        if (!hs.get(k).isTextual() || !HANDLERS.contains(h)) {
                            throw error(pat + ".handlers[" + k + "]", "\"" + h + "\" is not a handler (expected one of tls, http, proxy_proto)");
                        }
                        if (handlers.contains(h)) {
                            throw error(pat + ".handlers[" + k + "]", "\"" + h + "\" is listed twice");
                        }
                        handlers.add(h);
                    }
                }
                if (!HANDLER_CHAINS.contains(handlers)) {
                    throw error(pat + ".handlers", handlers + " is not a handler chain (expected one of [], [\"tls\"], [\"http\"], "
                            + "[\"tls\", \"http\"], [\"proxy_proto\"], [\"tls\", \"proxy_proto\"])");
                }
                int proxyProtoVersion = 1;
                JsonNode ppo = p.get("proxy_proto_options");
                if (ppo != null) {
                    String oat = pat + ".proxy_proto_options";
                    table(ppo, oat, Set.of("version"));
                    if (!handlers.contains("proxy_proto")) {
                        throw error(oat, "is set but handlers do not include \"proxy_proto\"");
                    }
                    String v = string(ppo, "version", oat + ".version");
                    if (v != null) {
                        proxyProtoVersion = switch (v) {
                            case "v1" -> 1;
                            case "v2" -> 2;
                            default -> throw error(oat + ".version", "\"" + v + "\" is not a PROXY protocol version (expected \"v1\" or \"v2\")");
                        };
                    }
                }
                Duration idleTimeout = duration(p, "idle_timeout", pat, null);
                if (idleTimeout != null) {
                    if (handlers.contains("http")) {
                        throw error(pat + ".idle_timeout", "applies to ports on the app's dedicated address (raw TCP, tls, "
                                + "proxy_proto); HTTP connections are closed by the edge's keep-alive timeout, remove it here");
                    }
                    if (idleTimeout.compareTo(AppConfig.Port.MIN_IDLE_TIMEOUT) < 0 || idleTimeout.compareTo(AppConfig.Port.MAX_IDLE_TIMEOUT) > 0) {
                        throw error(pat + ".idle_timeout", "\"" + Durations.format(idleTimeout) + "\" is out of range (1s to 7d)");
                    }
                }
                for (AppConfig.Port other : ports) {
                    if (other.port() == port) {
                        throw error(pat + ".port", port + " is listed twice");
                    }
                }
                ports.add(new AppConfig.Port(port, handlers, proxyProtoVersion, idleTimeout));
            }
        }
        AppConfig.Concurrency concurrency = AppConfig.Concurrency.DEFAULT;
        JsonNode c = n.get("concurrency");
        if (c != null) {
            String cat = at + ".concurrency";
            table(c, cat, Set.of("type", "soft_limit", "hard_limit"));
            String type = string(c, "type", cat + ".type");
            if (type == null) {
                type = "requests";
            } else if (!type.equals("requests") && !type.equals("connections")) {
                throw error(cat + ".type", "\"" + type + "\" is not a concurrency type (expected \"requests\" or \"connections\")");
            }
            int hard = integer(c, "hard_limit", cat + ".hard_limit", 1, 1_000_000, AppConfig.Concurrency.DEFAULT.hardLimit());
            int soft = integer(c, "soft_limit", cat + ".soft_limit", 1, 1_000_000, Math.min(hard, AppConfig.Concurrency.DEFAULT.softLimit()));
            if (soft > hard) {
                throw error(cat + ".soft_limit", soft + " is above hard_limit " + hard);
            }
            concurrency = new AppConfig.Concurrency(type, soft, hard);
        }
        List<AppConfig.HttpCheck> httpChecks = new ArrayList<>();
        JsonNode hc = n.get("http_checks");
        if (hc != null) {
            if (!hc.isArray()) {
                throw error(at + ".http_checks", "expected an array of tables ([[services.http_checks]]), got " + kind(hc));
            }
            for (int j = 0; j < hc.size(); j++) {
                String cat = at + ".http_checks[" + j + "]";
                JsonNode ch = hc.get(j);
                table(ch, cat, Set.of("path", "method", "interval", "timeout", "grace_period"));
                String path = string(ch, "path", cat + ".path");
                if (path == null) {
                    path = "/";
                } else if (!path.startsWith("/")) {
                    throw error(cat + ".path", "\"" + path + "\" must start with /");
                }
                String method = string(ch, "method", cat + ".method");
                if (method == null) {
                    method = "GET";
                } else if (!Set.of("GET", "HEAD").contains(method.toUpperCase())) {
                    throw error(cat + ".method", "\"" + method + "\" is not supported (expected GET or HEAD)");
                }
                httpChecks.add(new AppConfig.HttpCheck(path, method.toUpperCase(), duration(ch, "interval", cat, Duration.ofSeconds(5)),
                        duration(ch, "timeout", cat, Duration.ofSeconds(2)), duration(ch, "grace_period", cat, Duration.ofSeconds(1))));
            }
        }
        List<AppConfig.TcpCheck> tcpChecks = new ArrayList<>();
        JsonNode tc = n.get("tcp_checks");
        if (tc != null) {
            if (!tc.isArray()) {
                throw error(at + ".tcp_checks", "expected an array of tables ([[services.tcp_checks]]), got " + kind(tc));
            }
            for (int j = 0; j < tc.size(); j++) {
                String cat = at + ".tcp_checks[" + j + "]";
                JsonNode ch = tc.get(j);
                table(ch, cat, Set.of("interval", "timeout", "grace_period"));
                tcpChecks.add(new AppConfig.TcpCheck(duration(ch, "interval", cat, Duration.ofSeconds(5)),
                        duration(ch, "timeout", cat, Duration.ofSeconds(2)), duration(ch, "grace_period", cat, Duration.ofSeconds(1))));
            }
        }
        boolean h2Backend = false;
        Duration responseTimeout = null;
        JsonNode ho = n.get("http_options");
        if (ho != null) {
            String hat = at + ".http_options";
            table(ho, hat, Set.of("h2_backend", "response_timeout"));
            JsonNode h2 = ho.get("h2_backend");
            if (h2 != null) {
                if (!h2.isBoolean()) {
                    throw error(hat + ".h2_backend", "expected true or false, got " + kind(h2));
                }
                h2Backend = h2.booleanValue();
            }
            responseTimeout = duration(ho, "response_timeout", hat, null);
            if (responseTimeout != null && (responseTimeout.compareTo(AppConfig.Service.MIN_RESPONSE_TIMEOUT) < 0
                    || responseTimeout.compareTo(AppConfig.Service.MAX_RESPONSE_TIMEOUT) > 0)) {
                throw error(hat + ".response_timeout", "\"" + Durations.format(responseTimeout) + "\" is out of range (1s to 1d)");
            }
        }
        return new AppConfig.Service(internal, protocol, ports, concurrency, httpChecks, tcpChecks, h2Backend, responseTimeout);
    }

    private AppConfig.Scale scale(JsonNode n) throws ConfigException {
        if (n == null) {
            return null;
        }
        table(n, "scale", Set.of("regions", "autostop", "autostop_after", "autostart", "min_running", "max_total",
                "target_utilization", "scale_down_window"));
        Map<String, Integer> regions = new LinkedHashMap<>();
        Map<String, Autoscale.Range> ranges = new LinkedHashMap<>();
        JsonNode r = n.get("regions");
        if (r != null) {
            if (!r.isObject()) {
                throw error("scale.regions", "expected a table of region = count or region = { min, max }, got " + kind(r));
            }
            Iterator<String> names = r.fieldNames();
            while (names.hasNext()) {
                String code = names.next();
                String key = "scale.regions." + code;
                if (!REGION.matcher(code).matches()) {
                    throw error(key, "\"" + code + "\" is not a region code (e.g. iad, ams, syd)");
                }
                JsonNode v = r.get(code);
                if (v.isObject()) {
                    Autoscale.Range range = range(v, key);
                    ranges.put(code, range);
                    // A first deploy starts the minimum; demand reported by the edges brings the rest.
                    regions.put(code, range.min());
                } else {
                    regions.put(code, integer(r, code, key, 0, AppConfig.Scale.MAX_PER_REGION, 0));
                }
            }
        }
        Integer maxTotal = null;
        if (n.get("max_total") != null) {
            maxTotal = integer(n, "max_total", "scale.max_total", 1, 100_000, 0);
            int mins = 0;
            for (String code : regions.keySet()) {
                mins += ranges.containsKey(code) ? ranges.get(code).min() : regions.get(code);
            }
            if (mins > maxTotal) {
                throw error("scale.max_total", maxTotal + " is below the " + mins + " instances the regions' minimums and fixed counts"
                        + " need; raise max_total or lower a min");
            }
        }
        double target = Autoscale.DEFAULT_TARGET_UTILIZATION;
        JsonNode t = n.get("target_utilization");
        if (t != null) {
            if (!t.isNumber() || t.asDouble() <= 0 || t.asDouble() > 1) {
                throw error("scale.target_utilization", t.asText() + " is out of range (a fraction of soft_limit in (0, 1], e.g. 0.7)");
            }
            target = t.asDouble();
        }
        Duration window = duration(n, "scale_down_window", "scale", Autoscale.DEFAULT_SCALE_DOWN_WINDOW);
        if (window.isZero()) {
            throw error("scale.scale_down_window", "must be longer than 0s");
        }
        Duration autostopAfter = duration(n, "autostop_after", "scale", AppConfig.Scale.DEFAULT_AUTOSTOP_AFTER);
        if (autostopAfter.isZero()) {
            throw error("scale.autostop_after", "\"" + n.get("autostop_after").asText() + "\" must be longer than 0s"
                    + " (how long an instance stays idle before it is stopped, e.g. \"5m\")");
        }
        return new AppConfig.Scale(regions, bool(n, "autostop", "scale.autostop"), bool(n, "autostart", "scale.autostart"),
                integer(n, "min_running", "scale.min_running", 0, AppConfig.Scale.MAX_PER_REGION, 0),
                new Autoscale(ranges, maxTotal, target, window), autostopAfter);
    }

    private Autoscale.Range range(JsonNode v, String key) throws ConfigException {
        table(v, key, Set.of("min", "max"));
        if (v.get("max") == null) {
            throw error(key + ".max", "is required in a range (e.g. { min = 1, max = 5 }); for a fixed count write the number");
        }
        int min = integer(v, "min", key + ".min", 0, AppConfig.Scale.MAX_PER_REGION, 0);
        int max = integer(v, "max", key + ".max", 0, AppConfig.Scale.MAX_PER_REGION, 0);
        if (min > max) {
            throw error(key + ".min", "min " + min + " is above max " + max);
        }
        return new Autoscale.Range(min, max);
    }

    private AppConfig.Deploy deploy(JsonNode n) throws ConfigException {
        if (n == null) {
            return null;
        }
        table(n, "deploy", Set.of("strategy", "max_unavailable", "wait_timeout"));
        String strategy = string(n, "strategy", "deploy.strategy");
        if (strategy == null) {
            strategy = AppConfig.Deploy.DEFAULT.strategy();
        } else if (!STRATEGIES.contains(strategy)) {
            throw error("deploy.strategy", "\"" + strategy + "\" is not a strategy (expected rolling, immediate, bluegreen or canary)");
        }
        double maxUnavailable = AppConfig.Deploy.DEFAULT.maxUnavailable();
        JsonNode mu = n.get("max_unavailable");
        if (mu != null) {
            if (!mu.isNumber() || mu.asDouble() <= 0 || (mu.asDouble() >= 1 && !mu.isIntegralNumber() && mu.asDouble() != 1.0)) {
                throw error("deploy.max_unavailable", mu.asText() + " is out of range (a fraction in (0, 1] or a whole count of 1 or more)");
            }
            maxUnavailable = mu.asDouble();
        }
        Duration wait = duration(n, "wait_timeout", "deploy", AppConfig.Deploy.DEFAULT.waitTimeout());
        if (wait.isZero()) {
            throw error("deploy.wait_timeout", "must be longer than 0s");
        }
        return new AppConfig.Deploy(strategy, maxUnavailable, wait);
    }

    private AppConfig.Vm vm(JsonNode n) throws ConfigException {
        if (n == null) {
            return null;
        }
        table(n, "vm", Set.of("size"));
        String size = string(n, "size", "vm.size");
        if (size != null && (!VM_SIZE.matcher(size).matches() || VmSize.named(size).isEmpty())) {
            throw error("vm.size", "\"" + size + "\" is not a size (expected one of " + VmSize.names() + ")");
        }
        return size == null ? null : new AppConfig.Vm(size);
    }

    private AppConfig.Budget budget(JsonNode n) throws ConfigException {
        if (n == null) {
            return null;
        }
        table(n, "budget", Set.of("monthly_usd"));
        JsonNode m = n.get("monthly_usd");
        if (m == null) {
            return null;
        }
        if (!m.isNumber() || m.asDouble() < 0) {
            throw error("budget.monthly_usd", m.asText() + " is not a budget (expected a number of US dollars, 0 or more)");
        }
        return new AppConfig.Budget(m.asDouble());
    }

    private void table(JsonNode n, String at, Set<String> allowed) throws ConfigException {
        if (!(n instanceof ObjectNode)) {
            throw error(at.isEmpty() ? "(top level)" : at, "expected a table, got " + kind(n));
        }
        Iterator<String> names = n.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                String key = at.isEmpty() ? name : at + "." + name;
                throw error(key, "unknown key (expected one of " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private String string(JsonNode n, String field, String key) throws ConfigException {
        JsonNode v = n.get(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw error(key == null ? field : key, "expected a string, got " + kind(v));
        }
        return v.asText();
    }

    private String region(JsonNode n, String field, String key) throws ConfigException {
        String code = string(n, field, key);
        if (code != null && !REGION.matcher(code).matches()) {
            throw error(key, "\"" + code + "\" is not a region code (e.g. iad, ams, syd)");
        }
        return code;
    }

    private int port(JsonNode n, String field, String key) throws ConfigException {
        return integer(n, field, key, 1, 65535, 0);
    }

    private int integer(JsonNode n, String field, String key, int min, int max, int dflt) throws ConfigException {
        JsonNode v = n.get(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber()) {
            throw error(key, "expected a whole number, got " + kind(v));
        }
        long value = v.asLong();
        if (value < min || value > max) {
            throw error(key, value + " is out of range (" + min + "-" + max + ")");
        }
        return (int) value;
    }

    private boolean bool(JsonNode n, String field, String key) throws ConfigException {
        JsonNode v = n.get(field);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw error(key, "expected true or false, got " + kind(v));
        }
        return v.asBoolean();
    }

    private Duration duration(JsonNode n, String field, String at, Duration dflt) throws ConfigException {
        String key = at + "." + field;
        JsonNode v = n.get(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw error(key, "expected a duration string such as \"5s\", got " + kind(v));
        }
        try {
            return Durations.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    private ConfigException error(String key, String problem) {
        return new ConfigException(file, key, locator.lineOf(key), problem);
    }

    private static String kind(JsonNode v) {
        if (v == null || v.isNull()) return "nothing";
        if (v.isTextual()) return "a string";
        if (v.isBoolean()) return "a boolean";
        if (v.isNumber()) return "a number";
        if (v.isArray()) return "an array";
        if (v.isObject()) return "a table";
        return v.getNodeType().toString().toLowerCase();
    }
}
