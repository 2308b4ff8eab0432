package dev.outpost.lab.wan;

/**
 * Whether a {@link WanLink} charges the TCP handshake its local connect did not cost. A client that
 * times its exchanges only after its connect (the edges' peer probes) would otherwise see the
 * handshake's round trip twice: the probe's links are {@link #EXCLUDED}, every other one
 * {@link #CHARGED}.
 */
public enum Handshake {
    /** The connecting side's first bytes are delivered no earlier than accept + RTT + one way. */
    CHARGED,
    /** Bytes only pay the one-way delay: the client already waited for its connect elsewhere. */
    EXCLUDED
}
