package dev.outpost.core.config;

/** A bad {@code outpost.toml}: the message names the file, the line and the key. */
public final class ConfigException extends Exception {
    private final String key;
    private final int line;

    public ConfigException(String file, String key, int line, String problem) {
        super(file + (line > 0 ? " line " + line : "") + (key != null ? ": " + key + ": " : ": ") + problem);
        this.key = key;
        this.line = line;
    }

    /** The dotted path of the offending key, e.g. {@code services[0].internal_port}; null for syntax errors. */
    public String key() {
        return key;
    }

    /** The 1-based line, or 0 when unknown. */
    public int line() {
        return line;
    }
}
