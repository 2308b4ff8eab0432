/**
 * What {@code outpost launch} writes: {@link dev.outpost.cli.launch.LaunchToml} renders a first
 * {@code outpost.toml} and {@link dev.outpost.cli.launch.AppNames} turns a directory name into a
 * valid app name.
 */
package dev.outpost.cli.launch;
