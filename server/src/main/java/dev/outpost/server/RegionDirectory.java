package dev.outpost.server;

import dev.outpost.core.model.Host;
import dev.outpost.server.api.ApiException;
import dev.outpost.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The regions this platform has: those it was configured with (in that order; the first is where
 * the server runs) and any region an agent registered in.
 */
public final class RegionDirectory {
    private final List<String> configured;
    private final Store store;

    public RegionDirectory(List<String> configured, Store store) {
        this.configured = List.copyOf(configured);
        this.store = store;
    }

    public List<String> codes() {
        Set<String> all = new LinkedHashSet<>(configured);
        store.listHosts().stream().map(Host::region).sorted().forEach(all::add);
        return new ArrayList<>(all);
    }

    /** Throws 404 naming the region and the known ones when {@code code} is not a region here. */
    public void require(String code) {
        List<String> codes = codes();
        if (!codes.contains(code)) {
            throw ApiException.notFound("region " + code + " not found (regions here: "
                    + (codes.isEmpty() ? "none yet: no agent has registered" : String.join(", ", codes)) + ")");
        }
    }
}
