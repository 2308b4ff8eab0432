/**
 * The {@code outpost} command line. Start at {@link dev.outpost.cli.OutpostCommand#commandLine()}:
 * it wires every subcommand of {@code dev.outpost.cli.command} with the
 * {@link dev.outpost.cli.Environment} they run in, and maps failures to exit codes (0 done,
 * 1 a failure the user can act on, 2 wrong usage).
 */
package dev.outpost.cli;
