/** Blocking queries: callers wait on {@link dev.outpost.server.watch.IndexWatch} for the global index to pass theirs. */
package dev.outpost.server.watch;
