package dev.outpost.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A parsed image manifest or image index, in OCI or Docker schema 2 form: what it is and which blobs
 * ({@code config} and {@code layers}) and child manifests ({@code manifests} of an index) it names.
 * {@link #parse} is where pushed manifests are validated.
 */
record Manifest(String mediaType, List<Descriptor> blobs, List<Descriptor> children) {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final Set<String> MEDIA_TYPES = Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);
    /** Distribution's limit too: larger manifests are refused rather than buffered. */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    /** A reference to a blob or manifest; {@code external} when it names {@code urls} to fetch it from instead of this registry. */
    record Descriptor(String mediaType, String digest, long size, boolean external) {}

    boolean isIndex() {
        return mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST);
    }

    /**
     * Parses {@code bytes} pushed with {@code contentType} (which may be absent or generic JSON, then
     * the manifest's own {@code mediaType} decides).
     *
     * @throws RegistryException {@code MANIFEST_INVALID} saying what is wrong
     */
    static Manifest parse(byte[] bytes, String contentType) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw RegistryException.manifestInvalid("the manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw RegistryException.manifestInvalid("the manifest cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw RegistryException.manifestInvalid("the manifest must be a JSON object");
        }
        String declared = root.path("mediaType").isTextual() ? root.path("mediaType").asText() : null;
        String mediaType = mediaType(contentType, declared, root);
        if (root.path("schemaVersion").asInt(-1) != 2) {
            throw RegistryException.manifestInvalid("schemaVersion must be 2 (got " + root.path("schemaVersion") + ")");
        }
        if (mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST)) {
            JsonNode manifests = root.path("manifests");
            if (!manifests.isArray()) {
                throw RegistryException.manifestInvalid("an image index needs a \"manifests\" array");
            }
            return new Manifest(mediaType, List.of(), descriptors(manifests, "manifests"));
        }
        JsonNode config = root.path("config");
        if (!config.isObject()) {
            throw RegistryException.manifestInvalid("an image manifest needs a \"config\" descriptor");
        }
        JsonNode layers = root.path("layers");
        if (!layers.isMissingNode() && !layers.isArray()) {
            throw RegistryException.manifestInvalid("\"layers\" must be an array");
        }
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(descriptor(config, "config"));
        blobs.addAll(descriptors(layers, "layers"));
        return new Manifest(mediaType, List.copyOf(blobs), List.of());
    }

    /** Strips parameters ({@code ; charset=utf-8}) and case from a Content-Type. */
    static String bare(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static String mediaType(String contentType, String declared, JsonNode root) {
        String ct = bare(contentType);
        if (MEDIA_TYPES.contains(ct)) {
            if (declared != null && !declared.equals(ct)) {
                throw RegistryException.manifestInvalid("Content-Type is " + ct + " but the manifest's mediaType is " + declared
                        + ": they must agree");
            }
            return ct;
        }
        if (!ct.isEmpty() && !ct.equals("application/json") && !ct.equals("application/octet-stream")) {
            throw RegistryException.manifestInvalid(unsupported(ct));
        }
        if (declared != null) {
            if (!MEDIA_TYPES.contains(declared)) {
                throw RegistryException.manifestInvalid(unsupported(declared));
            }
            return declared;
        }
        // OCI allows leaving mediaType out; the shape tells an index from a manifest.
        if (root.has("manifests")) {
            return OCI_INDEX;
        }
        if (root.has("config")) {
            return OCI_MANIFEST;
        }
        throw RegistryException.manifestInvalid("cannot tell the manifest's media type: send Content-Type (one of " + MEDIA_TYPES + ")");
    }

    private static String unsupported(String type) {
        String hint = type.contains("v1+") ? " (Docker schema 1 is not supported: push with a current docker or skopeo)" : "";
        return "manifest media type " + type + " is not supported" + hint + "; supported: " + MEDIA_TYPES;
    }

    private static List<Descriptor> descriptors(JsonNode array, String field) {
        List<Descriptor> out = new ArrayList<>();
        if (array.isArray()) {
            for (int i = 0; i < array.size(); i++) {
                out.add(descriptor(array.get(i), field + "[" + i + "]"));
            }
        }
        return List.copyOf(out);
    }

    private static Descriptor descriptor(JsonNode node, String where) {
        if (!node.isObject()) {
            throw RegistryException.manifestInvalid(where + " must be a descriptor object");
        }
        String digest = node.path("digest").asText(null);
        if (digest == null || !BlobStore.isDigest(digest)) {
            throw RegistryException.manifestInvalid(where + ".digest \"" + digest + "\" is not a sha256 digest (sha256:<64 hex digits>)");
        }
        JsonNode size = node.path("size");
        if (!size.canConvertToLong() || size.asLong() < 0) {
            throw RegistryException.manifestInvalid(where + ".size must be a number of bytes (got " + size + ")");
        }
        JsonNode urls = node.path("urls");
        return new Descriptor(node.path("mediaType").asText(""), digest, size.asLong(), urls.isArray() && !urls.isEmpty());
    }
}
