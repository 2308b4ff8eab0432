/**
 * The image registry: the OCI distribution API ({@code /v2/}) that {@code docker push}/{@code pull} and
 * {@code skopeo} talk to, and where source bundles live too.
 *
 * <p>Start with {@link dev.outpost.server.registry.Registry}, the facade the rest of the server calls
 * (promote copies a manifest between repositories, app deletion drops a repository, the
 * {@link dev.outpost.server.registry.GarbageCollector} sweeps unreferenced blobs). Under it:
 * {@link dev.outpost.server.registry.BlobStore} (content-addressed bytes, written atomically),
 * {@code Repository} (per-repository links and tags on disk), {@code UploadSessions} (resumable uploads),
 * {@code Manifest} (validation of pushed manifests). {@link dev.outpost.server.registry.RegistryApi} maps
 * HTTP onto it. No table in the store: the file system is the registry's state.
 */
package dev.outpost.server.registry;
