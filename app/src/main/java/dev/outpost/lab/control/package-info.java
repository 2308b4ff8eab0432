/**
 * Failing and restoring parts of a running {@code outpost dev}: each part ({@link dev.outpost.lab.control.DevPart})
 * can be stopped and started again; {@link dev.outpost.lab.control.LabControl} serves that on 127.0.0.1 for
 * {@code outpost lab stop|start|parts}.
 */
package dev.outpost.lab.control;
