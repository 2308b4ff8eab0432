/**
 * Artifacts on the host's disk: {@link dev.outpost.agent.blob.BlobCache} downloads a blob by
 * digest from the server into {@code <dataDir>/blobs/sha256/<hex>}, verifies it and reuses it.
 */
package dev.outpost.agent.blob;
