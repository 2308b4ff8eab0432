package dev.outpost.cli.launch;

import dev.outpost.core.model.App;
import java.util.Locale;

/** App names derived from directory names, e.g. {@code My_Shop 2} → {@code my-shop-2}. */
public final class AppNames {
    private static final int MAX = 63;

    private AppNames() {}

    /** A valid app name (see {@link App#NAME}) as close to {@code directoryName} as the rules allow. */
    public static String fromDirectory(String directoryName) {
        String s = (directoryName == null ? "" : directoryName).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9-]+", "-")
                .replaceAll("-{2,}", "-")
                .replaceAll("^-+|-+$", "");
        if (s.isEmpty()) {
            s = "app";
        } else if (!Character.isLetter(s.charAt(0))) {
            s = "app-" + s;
        }
        if (s.length() > MAX) {
            s = s.substring(0, MAX).replaceAll("-+$", "");
        }
        if (s.length() < 2) {
            s = s + "-app";
        }
        if (App.checkName(s) != null) {
            throw new IllegalStateException("derived an invalid app name \"" + s + "\" from \"" + directoryName + "\"");
        }
        return s;
    }
}
