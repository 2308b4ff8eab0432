/**
 * Secrets at rest: {@link dev.outpost.server.secrets.SecretKeyFile} loads (or creates) the 32-byte
 * key in {@code <data dir>/secrets.key} and refuses one that is malformed or readable by others;
 * {@link dev.outpost.server.secrets.SecretBox} seals and opens values with AES-GCM under it;
 * {@link dev.outpost.server.secrets.SecretNames} says which names an app may use. Start with
 * {@code SecretBox}. Values are never logged, and exceptions here never carry them.
 */
package dev.outpost.server.secrets;
