/** Bearer tokens: {@link dev.outpost.server.auth.TokenAuth} checks callers; {@link dev.outpost.server.auth.AdminToken} bootstraps the first one. */
package dev.outpost.server.auth;
