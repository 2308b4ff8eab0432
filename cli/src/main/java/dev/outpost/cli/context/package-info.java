/**
 * Where the CLI finds its server: {@link dev.outpost.cli.context.Context} reads {@code context.json}
 * (API URL and token) from the config directory, with {@code OUTPOST_API}/{@code OUTPOST_TOKEN}
 * overriding it, and writes it for {@code outpost dev}.
 */
package dev.outpost.cli.context;
