/**
 * How commands print: {@link dev.outpost.cli.output.Table} for aligned columns,
 * {@link dev.outpost.cli.output.JsonOutput} for {@code --json}, and
 * {@link dev.outpost.cli.output.Terminal} to decide between redrawn progress and plain lines.
 */
package dev.outpost.cli.output;
