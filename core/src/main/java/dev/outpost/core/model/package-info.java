/**
 * The domain records the server stores and serves: {@link dev.outpost.core.model.App},
 * {@link dev.outpost.core.model.Release}, {@link dev.outpost.core.model.Instance},
 * {@link dev.outpost.core.model.Host}, {@link dev.outpost.core.model.Token}. Lifecycle enums
 * carry their allowed transitions.
 */
package dev.outpost.core.model;
