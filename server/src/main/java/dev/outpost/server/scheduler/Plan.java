package dev.outpost.server.scheduler;

import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.ReleaseStatus;
import java.util.ArrayList;
import java.util.List;

/** What the scheduler wants changed; {@link Reconciler} applies it in order. */
public final class Plan {
    /** A new instance of {@code release} on {@code hostId}. */
    public record Placement(String app, int release, String region, String hostId) {}

    public record DesiredChange(String instanceId, DesiredState desired, String reason) {}

    /**
     * A release leaving {@code deploying}; {@code ACTIVE} also makes it the app's current release and
     * destroys the {@code retire} instances in the same write (a blue-green switch: one index bump
     * moves every edge from the old set to the new one).
     */
    public record ReleaseOutcome(String app, int version, ReleaseStatus status, String message, DeployFailure failure,
                                 List<String> retire) {
        public ReleaseOutcome {
            retire = retire == null ? List.of() : List.copyOf(retire);
        }

        public ReleaseOutcome(String app, int version, ReleaseStatus status, String message, DeployFailure failure) {
            this(app, version, status, message, failure, List.of());
        }
    }

    private final List<Placement> placements = new ArrayList<>();
    private final List<DesiredChange> desiredChanges = new ArrayList<>();
    private final List<ReleaseOutcome> outcomes = new ArrayList<>();
    private final List<String> purges = new ArrayList<>();
    private final List<String> restarts = new ArrayList<>();

    void place(Placement p) {
        placements.add(p);
    }

    void desire(String instanceId, DesiredState desired, String reason) {
        desiredChanges.add(new DesiredChange(instanceId, desired, reason));
    }

    void outcome(ReleaseOutcome o) {
        outcomes.add(o);
    }

    void purge(String instanceId) {
        purges.add(instanceId);
    }

    void finishRestart(String instanceId) {
        restarts.add(instanceId);
    }

    public List<Placement> placements() {
        return List.copyOf(placements);
    }

    public List<DesiredChange> desiredChanges() {
        return List.copyOf(desiredChanges);
    }

    public List<ReleaseOutcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** Instance rows to delete: destroyed and reported gone, or whose host no longer exists. */
    public List<String> purges() {
        return List.copyOf(purges);
    }

    /**
     * Instances whose pending restart ends now: stopped as asked (start them again), or wanted
     * otherwise since (just drop the mark).
     */
    public List<String> restarts() {
        return List.copyOf(restarts);
    }

    public boolean isEmpty() {
        return placements.isEmpty() && desiredChanges.isEmpty() && outcomes.isEmpty() && purges.isEmpty() && restarts.isEmpty();
    }

    @Override
    public String toString() {
        return "Plan{place=" + placements + ", desire=" + desiredChanges + ", outcomes=" + outcomes + ", purge=" + purges + ", restart=" + restarts + "}";
    }
}
