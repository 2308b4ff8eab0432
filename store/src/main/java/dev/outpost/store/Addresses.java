package dev.outpost.store;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.jdbi.v3.core.Handle;

/**
 * The dedicated address of each app that serves a port outside the shared HTTP/HTTPS listeners, as
 * an offset ({@value #FIRST}..{@value #LAST}) into each edge's block of dedicated addresses: the same
 * offset in every region, as an anycast address is the same everywhere. An offset is handed out
 * smallest free first, stays with the app for its life (clients and DNS keep pointing at it across
 * deploys) and is freed when the app is destroyed ({@link Store#deleteApp}). Reached through
 * {@link Store#addresses()}.
 */
public final class Addresses {
    public static final int FIRST = 1;
    /** 255 would be the block's broadcast address in a /24. */
    public static final int LAST = 254;

    private final Store store;

    Addresses(Store store) {
        this.store = store;
    }

    /**
     * The app's offset, allocating the smallest free one when it has none. Bumps the index only when
     * it allocated (the routing table changes).
     *
     * @throws StoreException.Conflict when all {@value #LAST} offsets are taken
     */
    public int allocate(String app, Instant now) {
        return store.write("allocate dedicated address for " + app, tx -> {
            Handle h = tx.handle();
            OptionalInt existing = find(h, app);
            if (existing.isPresent()) {
                return existing.getAsInt();
            }
            List<Integer> taken = h.createQuery("SELECT offset_no FROM app_addresses ORDER BY offset_no")
                    .mapTo(Integer.class).list();
            int free = FIRST;
            for (int t : taken) {
                if (t != free) {
                    break;
                }
                free++;
            }
            if (free > LAST) {
                throw new StoreException.Conflict("no dedicated address left for app " + app + ": all " + (LAST - FIRST + 1)
                        + " offsets of the edges' dedicated block are taken; destroy an app with a TCP service"
                        + " or serve this one on the shared HTTP/HTTPS listeners (handlers ending in \"http\")");
            }
            h.createUpdate("INSERT INTO app_addresses (app, offset_no, created_at) VALUES (:app, :offset, :now)")
                    .bind("app", app).bind("offset", free).bind("now", Rows.millis(now)).execute();
            tx.markChanged();
            return free;
        });
    }

    /** The app's offset, empty when it has none. */
    public OptionalInt find(String app) {
        return store.read("dedicated address of " + app, h -> find(h, app));
    }

    /** Every allocated offset, by app name. */
    public Map<String, Integer> all() {
        return store.read("dedicated addresses", h -> {
            Map<String, Integer> out = new LinkedHashMap<>();
            h.createQuery("SELECT app, offset_no FROM app_addresses ORDER BY app")
                    .map((rs, ctx) -> Map.entry(rs.getString("app"), rs.getInt("offset_no")))
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
            return out;
        });
    }

    /** Frees the app's offset inside a transaction that deletes the app. */
    static void free(Handle h, String app) {
        h.createUpdate("DELETE FROM app_addresses WHERE app = :app").bind("app", app).execute();
    }

    private static OptionalInt find(Handle h, String app) {
        return h.createQuery("SELECT offset_no FROM app_addresses WHERE app = :app").bind("app", app)
                .mapTo(Integer.class).findOne().map(OptionalInt::of).orElse(OptionalInt.empty());
    }
}
