/**
 * The agent's test fixtures, in one place: {@link dev.outpost.agent.testing.FakeControlPlane} (an
 * in-memory server), {@link dev.outpost.agent.testing.Bundles} (tars built in the test) and
 * {@link dev.outpost.agent.testing.HelloApp} (a real HTTP instance run with {@code java Hello.java}).
 */
package dev.outpost.agent.testing;
