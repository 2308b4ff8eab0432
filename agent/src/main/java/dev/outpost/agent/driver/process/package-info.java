/**
 * The {@code process} driver: unpacks a release's source bundle into
 * {@code <dataDir>/instances/<id>/} and runs {@code build.cmd} there as a child process with
 * {@code PORT} set to a free port. No isolation; for laptops, tests and hosts without Docker.
 * Start reading at {@link dev.outpost.agent.driver.process.ProcessDriver};
 * {@link dev.outpost.agent.driver.process.BundleUnpacker} guards the unpacking and
 * {@link dev.outpost.agent.driver.process.LogTail} reads the output back.
 */
package dev.outpost.agent.driver.process;
