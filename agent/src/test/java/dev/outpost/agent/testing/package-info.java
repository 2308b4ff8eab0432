/**
 * The agent's test fixtures, in one place: {@link dev.outpost.agent.testing.FakeControlPlane} (an
 * in-memory server), {@link dev.outpost.agent.testing.Bundles} (tars built in the test) and
 * {@link dev.outpost.agent.testing.HelloApp} (a real HTTP instance run with {@code java Hello.java}),
 * {@link dev.outpost.agent.testing.TestDocker} (the real Docker Engine through the {@code docker} CLI,
 * with cleanup) and {@link dev.outpost.agent.testing.LocalImages} (images by local id, no registry).
 */
package dev.outpost.agent.testing;
