/**
 * The artifact registry, minimal for now: content-addressed blobs ({@link dev.outpost.server.registry.BlobStore})
 * behind the blob endpoints of the OCI distribution API ({@link dev.outpost.server.registry.RegistryApi}).
 * Source bundles live here; images and manifests come with the docker driver.
 */
package dev.outpost.server.registry;
