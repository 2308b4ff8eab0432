/**
 * A deploy as the CLI drives it, shared by {@code outpost deploy} and {@code outpost launch}:
 * {@link dev.outpost.cli.deploy.Deployer} packs and uploads the bundle, or — when {@code [build]}
 * names a {@code dockerfile} or an {@code image} (or {@code --image} is given) — has
 * {@link dev.outpost.cli.deploy.ImagePublisher} build or tag the image and push it to the API's
 * registry with the {@code docker} CLI ({@link dev.outpost.cli.deploy.Docker}, credentials in a
 * temporary {@link dev.outpost.cli.deploy.DockerLogin}); then it seeds the scale, creates the
 * release and follows the app's status until the release is active or failed, drawing per-layer
 * ({@link dev.outpost.cli.deploy.PushProgress}) and per-region
 * ({@link dev.outpost.cli.deploy.DeployProgress}) progress.
 */
package dev.outpost.cli.deploy;
