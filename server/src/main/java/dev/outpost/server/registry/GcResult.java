package dev.outpost.server.registry;

import java.util.List;

/**
 * What a garbage collection removed: blobs no manifest and no release references (older than the
 * grace period), the bytes they held, upload sessions that went quiet, and how many blobs it kept.
 */
public record GcResult(List<String> removedBlobs, long bytesFreed, List<String> expiredUploads, int keptBlobs) {}
