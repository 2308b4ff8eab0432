package dev.outpost.proxy.routing;

import java.util.Locale;

/**
 * What an instance's {@code soft_limit} and {@code hard_limit} count (DESIGN §3 "load"): requests in
 * flight, or the user connections this proxy has routed to it (a connection then stays with its
 * instance for as long as the instance is listed and healthy).
 */
public enum Concurrency {
    REQUESTS, CONNECTIONS;

    /** Reads {@code [services.concurrency] type}; anything but {@code "connections"} counts requests, the default. */
    public static Concurrency parse(String type) {
        return type != null && type.toLowerCase(Locale.ROOT).equals("connections") ? CONNECTIONS : REQUESTS;
    }
}
