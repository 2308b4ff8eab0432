package dev.outpost.server.secrets;

import java.util.regex.Pattern;

/**
 * Which names a secret may have: an environment variable name ({@code [A-Za-z_][A-Za-z0-9_]*}, up to
 * 255 characters) that is not one Outpost sets itself ({@code PORT}, {@code OUTPOST_*}).
 */
public final class SecretNames {
    /** The longest value accepted, in UTF-8 bytes: secrets are config, not files. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

    private SecretNames() {}

    /** Null when {@code name} may name a secret, else a sentence saying why not. */
    public static String check(String name) {
        if (name == null || name.isEmpty()) {
            return "a secret name is empty";
        }
        if (!NAME.matcher(name).matches()) {
            return "secret name \"" + printable(name) + "\" is not an environment variable name: use letters, digits and '_',"
                    + " not starting with a digit, up to 255 characters";
        }
        if (name.equals("PORT") || name.startsWith("OUTPOST_")) {
            return "secret name " + name + " is reserved: Outpost sets PORT and OUTPOST_* itself; pick another name";
        }
        return null;
    }

    private static String printable(String name) {
        String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
