package dev.outpost.proxy.control;

/** One blocking query for routes failed; the message names the URL and what came back. */
public class RouteWatchException extends RuntimeException {
    public RouteWatchException(String message) {
        super(message);
    }

    public RouteWatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
