/**
 * The lab's WAN links (DESIGN §10): user-space TCP relays that give regions on one machine the
 * distance between real cities. Start with {@link dev.outpost.lab.wan.WanLink} (one relay to one
 * destination, delaying each direction by the one-way latency), then
 * {@link dev.outpost.lab.wan.WanDialer} (which connections of a region cross to another one and get a
 * link) and {@link dev.outpost.lab.wan.WanMode} ({@code outpost dev --wan real|scaled|none}).
 */
package dev.outpost.lab.wan;
