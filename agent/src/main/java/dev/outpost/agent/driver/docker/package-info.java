/**
 * The {@code docker} driver: runs image instances as containers of the host's Docker Engine
 * (docker-java over the Engine socket). Start reading at
 * {@link dev.outpost.agent.driver.docker.DockerDriver} (naming, labels, ports, limits, keep on stop,
 * re-adoption); {@link dev.outpost.agent.driver.docker.RegistryImages} pulls images from the Outpost
 * registry by digest, {@link dev.outpost.agent.driver.docker.ContainerLimits} maps a {@code [vm] size}
 * to cgroup limits, and {@code ContainerLogs} copies each container's output into its
 * {@code output.log}.
 */
package dev.outpost.agent.driver.docker;
