/**
 * The meter: what an app's instances cost. {@link dev.outpost.server.meter.Prices} holds the USD per
 * second of each VM size (server config, {@code outpost server --prices}); {@link
 * dev.outpost.server.meter.Meter} prices the run intervals the store records with every instance
 * report, per app and calendar month (UTC). Start with {@link dev.outpost.server.meter.Meter#spend}.
 */
package dev.outpost.server.meter;
