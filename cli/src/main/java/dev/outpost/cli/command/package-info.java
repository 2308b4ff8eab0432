/**
 * One class per {@code outpost} subcommand, each binding its options into a call of
 * {@link dev.outpost.cli.api.ApiClient}. {@link dev.outpost.cli.command.AppOptions} resolves which
 * app a command means ({@code --app}, else {@code outpost.toml}); deploys go through
 * {@link dev.outpost.cli.deploy.Deployer}. Wired in {@link dev.outpost.cli.OutpostCommand}.
 */
package dev.outpost.cli.command;
