/**
 * A deploy as the CLI drives it, shared by {@code outpost deploy} and {@code outpost launch}:
 * {@link dev.outpost.cli.deploy.Deployer} packs and uploads the bundle, seeds the scale, creates
 * the release and follows the app's status until the release is active or failed, drawing
 * per-region progress with {@link dev.outpost.cli.deploy.DeployProgress}.
 */
package dev.outpost.cli.deploy;
