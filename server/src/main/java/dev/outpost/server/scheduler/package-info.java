/**
 * Placement and deploys. {@link dev.outpost.server.scheduler.Scheduler} is pure: it reads a
 * {@link dev.outpost.server.scheduler.ClusterView} and returns a {@link dev.outpost.server.scheduler.Plan}
 * (Nomad's cut); {@link dev.outpost.server.scheduler.Reconciler} is the level-triggered loop that
 * builds the view from the store, plans, and applies. How a deploy replaces old instances is a
 * {@link dev.outpost.server.scheduler.DeployStrategy}. Start with {@code Scheduler.plan}.
 */
package dev.outpost.server.scheduler;
