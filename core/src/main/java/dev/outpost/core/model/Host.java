package dev.outpost.core.model;

import java.time.Instant;

/** A machine running an agent in one region; {@code address} is its private address. */
public record Host(String id, String region, String address, long memoryMb, Instant lastSeen) {}
