package dev.outpost.core.config;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the line of a key in TOML source. Jackson's TOML reader builds a tree and forgets where
 * each value stood, so this scans table headers ({@code [a.b]}, {@code [[a.b]]}) and
 * {@code key = value} lines and records the line of every dotted path, with array-of-tables
 * elements numbered as the tree numbers them ({@code services[0].ports[1].port}).
 */
final class TomlLocator {
    private static final Pattern ARRAY_TABLE = Pattern.compile("^\\s*\\[\\[\\s*([^\\]]+?)\\s*]]");
    private static final Pattern TABLE = Pattern.compile("^\\s*\\[\\s*([^\\]]+?)\\s*]");
    private static final Pattern KEY = Pattern.compile("^\\s*([A-Za-z0-9_.\"-]+?)\\s*=\\s*(.*)$");
    private static final Pattern INLINE_KEY = Pattern.compile("([A-Za-z0-9_\"-]+)\\s*=");

    private final Map<String, Integer> lines = new HashMap<>();

    TomlLocator(String source) {
        Map<String, Integer> arrayCounts = new HashMap<>();
        String prefix = "";
        String[] all = source.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            String line = all[i];
            int n = i + 1;
            Matcher m;
            if ((m = ARRAY_TABLE.matcher(line)).find()) {
                String resolved = resolve(unquote(m.group(1)), arrayCounts, true);
                prefix = resolved;
                lines.putIfAbsent(resolved, n);
                lines.putIfAbsent(resolved.substring(0, resolved.lastIndexOf('[')), n);
            } else if ((m = TABLE.matcher(line)).find()) {
                prefix = resolve(unquote(m.group(1)), arrayCounts, false);
                lines.putIfAbsent(prefix, n);
            } else if ((m = KEY.matcher(line)).find()) {
                String key = join(prefix, unquote(m.group(1)));
                lines.putIfAbsent(key, n);
                String value = m.group(2).trim();
                if (value.startsWith("{")) {
                    Matcher k = INLINE_KEY.matcher(value);
                    while (k.find()) {
                        lines.putIfAbsent(key + "." + unquote(k.group(1)), n);
                    }
                }
            }
        }
    }

    /** The line of {@code path}, or of its nearest recorded ancestor; 0 when none is known. */
    int lineOf(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer n = lines.get(p);
            if (n != null) {
                return n;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return 0;
    }

    private static String resolve(String dotted, Map<String, Integer> arrayCounts, boolean newElement) {
        // Each segment that names an array of tables refers to its latest element.
        String[] parts = dotted.split("\\.");
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (path.length() > 0) {
                path.append('.');
            }
            path.append(parts[i].trim());
            String base = path.toString();
            boolean last = i == parts.length - 1;
            if (last && newElement) {
                int idx = arrayCounts.merge(base, 1, Integer::sum) - 1;
                path.append('[').append(idx).append(']');
            } else if (arrayCounts.containsKey(base)) {
                path.append('[').append(arrayCounts.get(base) - 1).append(']');
            }
        }
        return path.toString();
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    private static String unquote(String s) {
        return s.replace("\"", "").trim();
    }
}
