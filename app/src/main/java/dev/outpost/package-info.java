/**
 * The {@code outpost} executable: {@link dev.outpost.Main} adds the commands that run parts of the
 * platform ({@code dev}, {@code server}, {@code agent}, {@code proxy}) to the CLI's; {@link dev.outpost.DevPlatform}
 * wires the all-in-one of DESIGN §9.
 */
package dev.outpost;
