/**
 * Source bundles: {@link dev.outpost.cli.bundle.BundlePacker} packs an app directory into a
 * deterministic tar (sorted entries, fixed times and owners) named by its SHA-256, leaving out
 * what {@link dev.outpost.cli.bundle.IgnoreRules} ({@code .outpostignore} or {@code .dockerignore})
 * excludes. Start with {@code BundlePacker.pack}.
 */
package dev.outpost.cli.bundle;
