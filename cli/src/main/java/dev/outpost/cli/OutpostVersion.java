package dev.outpost.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code outpost --version}: the version Maven built the CLI as, read from the jar's pom.properties. */
public final class OutpostVersion implements IVersionProvider {
    static final String POM_PROPERTIES = "/META-INF/maven/dev.outpost/outpost-cli/pom.properties";

    @Override
    public String[] getVersion() {
        return new String[] {"outpost " + version()};
    }

    /** The version, or {@code dev} when running from classes rather than a built jar. */
    public static String version() {
        try (InputStream in = OutpostVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
