/**
 * The plugin boundary between the agent and a runtime, Nomad-style: a
 * {@link dev.outpost.agent.driver.Driver} starts an instance from an
 * {@link dev.outpost.agent.driver.InstanceSpec}, stops it, lists what it runs (so a restarted
 * agent re-adopts its instances), and hands out an {@link dev.outpost.agent.driver.InstanceHandle}
 * to observe exit and read the last log lines. Start reading at {@code Driver}; the first
 * implementation is {@code driver.process}.
 */
package dev.outpost.agent.driver;
