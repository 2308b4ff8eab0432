package dev.outpost.core.api;

/**
 * {@code POST /v1/apps/{app}/autostart}: an edge found no instance of the app with room and asks for
 * {@code instance} (the nearest one its routing table lists as startable) to be started. {@code edge} and
 * {@code region} say who asked, for the event the server records.
 */
public record AutostartRequest(String instance, String edge, String region) {}
