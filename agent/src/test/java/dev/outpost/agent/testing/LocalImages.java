package dev.outpost.agent.testing;

import dev.outpost.agent.driver.InstanceSpec;
import dev.outpost.agent.driver.docker.ImageSource;

/**
 * Images already in the local Engine, named by their id: tests give an instance the image id
 * ({@code sha256:…}) as its artifact digest, and the Engine creates containers from it directly.
 */
public final class LocalImages implements ImageSource {
    @Override
    public String localImage(InstanceSpec spec) {
        return spec.artifactDigest();
    }
}
