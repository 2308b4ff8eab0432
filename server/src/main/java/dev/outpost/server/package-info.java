/**
 * The control plane: {@link dev.outpost.server.OutpostServer} wires the store, the {@code /v1} API
 * ({@code api}), auth ({@code auth}), blocking queries ({@code watch}), the blob registry
 * ({@code registry}) and the scheduler loop ({@code scheduler}). Start reading at {@code OutpostServer}.
 */
package dev.outpost.server;
