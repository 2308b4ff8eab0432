/**
 * Health checks of running instances: {@link dev.outpost.agent.check.HttpProbe} and
 * {@link dev.outpost.agent.check.TcpProbe} each answer one {@link dev.outpost.agent.check.ProbeResult};
 * {@link dev.outpost.agent.check.InstanceChecks} runs an instance's probes on their intervals after
 * their grace periods, turns the results into one {@code Health}, and tells its listener when that
 * changes and when a probe keeps failing. Start reading at {@code InstanceChecks}.
 */
package dev.outpost.agent.check;
