package dev.outpost.cli.testing;

import com.sun.net.httpserver.HttpExchange;
import dev.outpost.core.Json;
import dev.outpost.core.api.InstanceAction;
import dev.outpost.core.api.Problem;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Instance;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /v1/instances} for {@link FakeOutpostApi}: instances in memory whose {@code desired} the
 * actions change, with the server's answers (404 for an unknown id, 409 for one being destroyed,
 * a sentence saying what happens next).
 */
public final class FakeInstances implements FakeOutpostApi.Endpoint {
    private static final Pattern ACTION = Pattern.compile("/v1/instances/([^/]+)/(start|stop|restart)");
    private static final Pattern ONE = Pattern.compile("/v1/instances/([^/]+)");

    private final Map<String, Instance> instances = new ConcurrentSkipListMap<>();

    public void put(Instance... more) {
        for (Instance i : more) {
            instances.put(i.id(), i);
        }
    }

    public Instance get(String id) {
        return instances.get(id);
    }

    @Override
    public boolean handle(HttpExchange ex, String method, String path, String query) throws IOException {
        Matcher m;
        if (path.equals("/v1/instances") && method.equals("GET")) {
            String app = query != null && query.startsWith("app=") ? query.substring(4) : null;
            send(ex, 200, instances.values().stream()
                    .filter(i -> i.desired() != DesiredState.DESTROYED && (app == null || i.app().equals(app))).toList());
            return true;
        }
        if ((m = ACTION.matcher(path)).matches() && method.equals("POST")) {
            act(ex, m.group(1), m.group(2));
            return true;
        }
        if ((m = ONE.matcher(path)).matches() && method.equals("DELETE")) {
            act(ex, m.group(1), "destroy");
            return true;
        }
        return false;
    }

    private void act(HttpExchange ex, String id, String action) throws IOException {
        Instance i = instances.get(id);
        if (i == null) {
            problem(ex, 404, "instance " + id + " not found (outpost instances list shows the instances)");
            return;
        }
        if (i.desired() == DesiredState.DESTROYED) {
            problem(ex, 409, "instance " + id + " is being destroyed, so it cannot be " + action + "ed");
            return;
        }
        DesiredState next = switch (action) {
            case "start" -> DesiredState.RUNNING;
            case "destroy" -> DesiredState.DESTROYED;
            default -> DesiredState.STOPPED;
        };
        Instance after = i.withDesired(next);
        instances.put(id, after);
        String message = switch (action) {
            case "start" -> "starting instance " + id;
            case "stop" -> "stopping instance " + id + ": it keeps its place, so nothing replaces it";
            case "restart" -> "restarting instance " + id + ": it stops (draining its requests), then starts again";
            default -> "destroying instance " + id + "; " + i.region() + " wants 2 and keeps 1, so a fresh instance will be placed there";
        };
        send(ex, 200, new InstanceAction(action, true, after, message));
    }

    private static void send(HttpExchange ex, int status, Object value) throws IOException {
        byte[] bytes = Json.mapper().writeValueAsBytes(value);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void problem(HttpExchange ex, int status, String detail) throws IOException {
        byte[] bytes = Json.mapper().writeValueAsBytes(new Problem("about:blank", "error", status, detail));
        ex.getResponseHeaders().add("Content-Type", Problem.MEDIA_TYPE);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /** All instances, destroyed ones included. */
    public List<Instance> all() {
        return List.copyOf(instances.values());
    }
}
