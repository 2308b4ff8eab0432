package dev.outpost.core.api;

import dev.outpost.core.model.App;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.Release;
import java.util.List;

/**
 * {@code GET /v1/apps/{app}/status}: the app, its serving release, the release being deployed (if
 * any), and its live instances. A blocking query: {@code index} is the state's version.
 */
public record AppStatus(long index, App app, Release current, Release deploying, List<Instance> instances) {}
