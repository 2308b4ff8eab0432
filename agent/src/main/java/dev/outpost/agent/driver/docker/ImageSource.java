package dev.outpost.agent.driver.docker;

import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceSpec;

/** Makes the image of an instance present in the local Engine and names it. */
public interface ImageSource {

    /** A reference the Engine can create a container from, e.g. {@code 127.0.0.1:7280/hello@sha256:ab12…}. */
    String localImage(InstanceSpec spec) throws DriverException;

    /**
     * The reference {@link #localImage} returns, without making the image present: enough to start a kept
     * container made from it (which holds the image), one Engine round trip less on a start.
     */
    default String reference(InstanceSpec spec) throws DriverException {
        return localImage(spec);
    }
}
