/**
 * Lab users: clients that act as if they sat near a region's edge, across an access link (DESIGN
 * §10). {@link dev.outpost.lab.user.LabCommand} groups {@code outpost lab curl} (the real curl,
 * {@link dev.outpost.lab.user.LabCurlCommand}) and {@code outpost lab load} (an open-loop load
 * generator, {@link dev.outpost.lab.user.LabLoadCommand}); both start with an
 * {@link dev.outpost.lab.user.AccessLink} to the region's edge.
 */
package dev.outpost.lab.user;
