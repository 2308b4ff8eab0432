/**
 * The regional autoscaler (DESIGN §7): the proxies' load reports in, each app's desired count per
 * region out, through the same store write {@code outpost scale} uses, so the scheduler places the
 * instances. {@link dev.outpost.server.autoscaler.LoadBoard} keeps the last reports in memory;
 * {@link dev.outpost.server.autoscaler.Autoscaler} is the pure decision (start reading there);
 * {@link dev.outpost.server.autoscaler.AutoscalerLoop} runs it every second and records every change
 * as an event with its reason. {@link dev.outpost.server.autoscaler.Autostop} is the other half of
 * {@code [scale]}: the same loop times each running instance's idleness from the same reports and stops
 * those idle past {@code autostop_after} ({@code scale.autostop} events), keeping {@code min_running}.
 */
package dev.outpost.server.autoscaler;
