package dev.outpost.core.api;

/** {@code POST /v1/tokens}. */
public record CreateTokenRequest(String name) {}
