/**
 * The agent: one per host, in one region; it makes the host match the server's assignments.
 * Start reading at {@link dev.outpost.agent.Agent} (heartbeat and the blocking-query watch of
 * assignments), then {@link dev.outpost.agent.InstanceSupervisor}, which owns one instance's
 * lifecycle: download, start, wait for its port, checks, reports, restarts with backoff, drain and stop.
 * The runtime sits behind {@code agent.driver}, the server behind {@code agent.control}.
 */
package dev.outpost.agent;
