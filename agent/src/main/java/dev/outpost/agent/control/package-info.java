/**
 * The agent's view of the server: {@link dev.outpost.agent.control.ControlPlane} is the narrow
 * interface the loop uses (register, watch assignments, report, fetch blobs);
 * {@link dev.outpost.agent.control.ApiControlPlane} speaks it over the {@code /v1} and {@code /v2}
 * HTTP API. Start reading at {@code ControlPlane}.
 */
package dev.outpost.agent.control;
