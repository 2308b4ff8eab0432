package dev.outpost.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** An app's {@code outpost.toml}, parsed and validated; every default is filled in. */
public record AppConfig(String app, String primaryRegion, Build build, Map<String, String> env, List<Service> services,
                        Scale scale, Deploy deploy, Vm vm, Budget budget) {

    public AppConfig {
        env = env == null ? Map.of() : Map.copyOf(env);
        services = services == null ? List.of() : List.copyOf(services);
        build = build == null ? new Build(null, null, List.of()) : build;
        scale = scale == null ? Scale.DEFAULT : scale;
        deploy = deploy == null ? Deploy.DEFAULT : deploy;
        vm = vm == null ? Vm.DEFAULT : vm;
        budget = budget == null ? new Budget(null) : budget;
    }

    public AppConfig withApp(String name) {
        return new AppConfig(name, primaryRegion, build, env, services, scale, deploy, vm, budget);
    }

    /** How the artifact is made: a Dockerfile, a local image, or a command run from the source bundle. */
    public record Build(String dockerfile, String image, List<String> cmd) {
        public Build {
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
        }

        /**
         * True when the artifact is an OCI image (from {@code dockerfile} or {@code image}), run by the
         * docker driver; false for a source bundle run by the process driver with {@code cmd}.
         */
        public boolean producesImage() {
            return dockerfile != null || image != null;
        }
    }

    /**
     * An internal port exposed on public ports, with its concurrency limits and checks. {@code h2Backend}
     * ({@code [services.http_options] h2_backend}) makes the edge speak h2c to the instance (gRPC).
     * {@code responseTimeout} ({@code [services.http_options] response_timeout}) is how long the edge waits
     * for an instance's response head once the whole request reached it; then the user gets a 504. Null when
     * the app did not set it: the edge waits {@link #DEFAULT_RESPONSE_TIMEOUT} for HTTP requests and does not
     * time gRPC calls, which carry their own deadline (a server stream sends its headers with its first
     * message, which a watch may send minutes later).
     */
    public record Service(int internalPort, String protocol, List<Port> ports, Concurrency concurrency,
                          List<HttpCheck> httpChecks, List<TcpCheck> tcpChecks, boolean h2Backend, Duration responseTimeout) {
        /** As nginx's {@code proxy_read_timeout}, which app developers already know. */
        public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
        public static final Duration MIN_RESPONSE_TIMEOUT = Duration.ofSeconds(1);
        public static final Duration MAX_RESPONSE_TIMEOUT = Duration.ofDays(1);

        public Service {
            ports = ports == null ? List.of() : List.copyOf(ports);
            httpChecks = httpChecks == null ? List.of() : List.copyOf(httpChecks);
            tcpChecks = tcpChecks == null ? List.of() : List.copyOf(tcpChecks);
            concurrency = concurrency == null ? Concurrency.DEFAULT : concurrency;
        }

        public Service(int internalPort, String protocol, List<Port> ports, Concurrency concurrency,
                       List<HttpCheck> httpChecks, List<TcpCheck> tcpChecks) {
            this(internalPort, protocol, ports, concurrency, httpChecks, tcpChecks, false, null);
        }
    }

    /**
     * A public port and its handler chain: none (raw TCP), {@code tls}, {@code http}, {@code tls}+{@code http},
     * {@code proxy_proto} or {@code tls}+{@code proxy_proto}. Ports whose chain ends in {@code http} are served on
     * the edge's shared HTTP/HTTPS listeners, routed by Host and SNI; the others get the app's dedicated address.
     * {@code proxyProtoVersion} (1 or 2, {@code proxy_proto_options.version}) matters only with {@code proxy_proto}.
     * {@code idleTimeout} ({@code idle_timeout}) closes a connection on a dedicated address after that long
     * without a byte either way; HTTP ports use the edge's keep-alive timeout instead.
     */
    public record Port(int port, List<String> handlers, int proxyProtoVersion, Duration idleTimeout) {
        /** How long a raw TCP, tls or proxy_proto connection may stay silent both ways unless {@code idle_timeout} says otherwise. */
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
        public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(1);
        public static final Duration MAX_IDLE_TIMEOUT = Duration.ofDays(7);

        public Port {
            handlers = handlers == null ? List.of() : List.copyOf(handlers);
            proxyProtoVersion = proxyProtoVersion == 0 ? 1 : proxyProtoVersion;
            // Releases stored before idle_timeout existed have none: they get the default.
            idleTimeout = idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
        }

        public Port(int port, List<String> handlers, int proxyProtoVersion) {
            this(port, handlers, proxyProtoVersion, null);
        }

        public Port(int port, List<String> handlers) {
            this(port, handlers, 1);
        }

        /** True when the chain ends in HTTP, so the shared listeners route it by Host. */
        public boolean http() {
            return handlers.contains("http");
        }
    }

    /** {@code type} is {@code requests} or {@code connections}. */
    public record Concurrency(String type, int softLimit, int hardLimit) {
        public static final Concurrency DEFAULT = new Concurrency("requests", 20, 25);
    }

    public record HttpCheck(String path, String method, Duration interval, Duration timeout, Duration gracePeriod) {}

    public record TcpCheck(Duration interval, Duration timeout, Duration gracePeriod) {}

    /**
     * Desired count per region and the idle behaviour. {@code regions} is the count a first deploy seeds
     * per region (for a {@code { min, max }} region: {@code min});
     * {@code autoscale} holds the ranges and limits the autoscaler works within. With {@code autostop}, an
     * instance that saw no requests or connections for {@code autostopAfter} is stopped, keeping
     * {@code minRunning} running in each region.
     */
    public record Scale(Map<String, Integer> regions, boolean autostop, boolean autostart, int minRunning,
                        Autoscale autoscale, Duration autostopAfter) {
        public static final Duration DEFAULT_AUTOSTOP_AFTER = Duration.ofMinutes(5);
        public static final Scale DEFAULT = new Scale(Map.of(), false, false, 0);
        /**
         * The most instances one region may be asked for: by a count, a range's {@code min}/{@code max}
         * or {@code min_running} in outpost.toml, by the API and by {@code outpost scale count}.
         */
        public static final int MAX_PER_REGION = 100;

        public Scale {
            regions = regions == null ? Map.of() : Map.copyOf(regions);
            autoscale = autoscale == null ? Autoscale.NONE : autoscale;
            autostopAfter = autostopAfter == null ? DEFAULT_AUTOSTOP_AFTER : autostopAfter;
            if (autostopAfter.isNegative() || autostopAfter.isZero()) {
                throw new IllegalArgumentException("autostop_after must be longer than 0s, got " + autostopAfter);
            }
        }

        public Scale(Map<String, Integer> regions, boolean autostop, boolean autostart, int minRunning, Autoscale autoscale) {
            this(regions, autostop, autostart, minRunning, autoscale, null);
        }

        public Scale(Map<String, Integer> regions, boolean autostop, boolean autostart, int minRunning) {
            this(regions, autostop, autostart, minRunning, null, null);
        }

        /** The region's range: its {@code { min, max }}, or {@code n..n} for a plain count; null for a region not named. */
        public Autoscale.Range range(String region) {
            Autoscale.Range range = autoscale.ranges().get(region);
            if (range != null) {
                return range;
            }
            Integer fixed = regions.get(region);
            return fixed == null ? null : new Autoscale.Range(fixed, fixed);
        }

        /** True when some region has a range ({@code min < max}): the autoscaler then owns the app's counts. */
        public boolean autoscaled() {
            return autoscale.ranges().values().stream().anyMatch(r -> r.min() < r.max());
        }
    }

    /** {@code maxUnavailable} below 1 is a fraction of the instances, 1 or more a count. */
    public record Deploy(String strategy, double maxUnavailable, Duration waitTimeout) {
        public static final Deploy DEFAULT = new Deploy("rolling", 0.33, Duration.ofMinutes(2));
    }

    public record Vm(String size) {
        public static final Vm DEFAULT = new Vm("shared-1x");
    }

    public record Budget(Double monthlyUsd) {}
}
