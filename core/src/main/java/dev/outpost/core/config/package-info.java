/**
 * {@code outpost.toml}: {@link dev.outpost.core.config.ConfigParser} reads it into an
 * {@link dev.outpost.core.config.AppConfig}, rejecting unknown keys and bad values with a
 * {@link dev.outpost.core.config.ConfigException} that names the key and its line
 * (found by {@link dev.outpost.core.config.TomlLocator}).
 */
package dev.outpost.core.config;
