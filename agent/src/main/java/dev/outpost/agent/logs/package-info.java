/**
 * Log shipping: the agent's half of central logs. {@link dev.outpost.agent.logs.LogShipper} tails
 * every instance's {@code instances/<id>/output.log} (whichever driver wrote it), batches the lines
 * and sends them to the server through a {@link dev.outpost.agent.logs.LogSink}. Start reading at
 * {@code LogShipper}; {@link dev.outpost.agent.logs.OutputTail} follows one file through rotation
 * and truncation, {@link dev.outpost.agent.logs.ShipBuffer} bounds what waits while the server is
 * away, and {@link dev.outpost.agent.logs.Offsets} remembers how far each file was shipped.
 */
package dev.outpost.agent.logs;
