package dev.outpost.agent.driver;

/** A driver could not start, stop or list an instance; the message names the instance and the cause. */
public class DriverException extends Exception {
    public DriverException(String message) {
        super(message);
    }

    public DriverException(String message, Throwable cause) {
        super(message, cause);
    }
}
