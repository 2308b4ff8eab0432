/**
 * The server's side of the edges' registry beyond the API: {@link dev.outpost.server.edges.EdgeExpiry}
 * forgets edges that stopped heartbeating.
 */
package dev.outpost.server.edges;
