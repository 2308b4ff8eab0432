package dev.outpost.core.api;

/** {@code PUT /v1/hosts/{id}}: an agent announcing itself (and its heartbeat). */
public record RegisterHostRequest(String region, String address, long memoryMb) {}
