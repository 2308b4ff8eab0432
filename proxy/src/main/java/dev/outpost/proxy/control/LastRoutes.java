package dev.outpost.proxy.control;

import dev.outpost.core.api.RoutingTable;
import java.util.function.Consumer;

/**
 * Passes routing tables on and remembers the last one, so it can be applied again when the
 * measured region order changes: the proxy sorts regions when a table is applied, and the server
 * sends a new table only when the routes change. Applying a table again keeps every upstream and
 * its in-flight requests.
 */
public final class LastRoutes implements Consumer<RoutingTable> {
    private final Consumer<RoutingTable> apply;
    private volatile RoutingTable last;

    public LastRoutes(Consumer<RoutingTable> apply) {
        this.apply = apply;
    }

    @Override
    public synchronized void accept(RoutingTable table) {
        last = table;
        apply.accept(table);
    }

    /** Applies the last table again; nothing before the first. */
    public synchronized void reapply() {
        if (last != null) {
            apply.accept(last);
        }
    }
}
