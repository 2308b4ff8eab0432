/**
 * The proxy module's test fixtures, in one place: {@link dev.outpost.proxy.testing.InstanceServer}
 * (a real HTTP server on loopback standing in for an app instance), {@link dev.outpost.proxy.testing.Routes}
 * (routing tables as the server sends them), {@link dev.outpost.proxy.testing.PatternedBody}
 * (large bodies that can be checked without keeping them) and {@link dev.outpost.proxy.testing.RawHttp}.
 */
package dev.outpost.proxy.testing;
