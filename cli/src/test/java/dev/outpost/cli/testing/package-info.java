/**
 * The CLI's test fixtures: {@link dev.outpost.cli.testing.FakeOutpostApi}, a JDK HttpServer on
 * loopback answering the endpoints the CLI calls, and {@link dev.outpost.cli.testing.CliRunner},
 * which runs {@code outpost} with captured output against it.
 */
package dev.outpost.cli.testing;
