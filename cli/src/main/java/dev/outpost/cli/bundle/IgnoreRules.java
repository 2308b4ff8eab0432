package dev.outpost.cli.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which files stay out of a bundle, with {@code .dockerignore} semantics: one pattern per line,
 * relative to the app directory, {@code *} and {@code ?} within a path segment, {@code **} across
 * any number of segments, {@code [...]} character classes, {@code #} comments, and {@code !} to
 * re-include what an earlier line excluded; the last matching line wins. A pattern that matches a
 * directory matches everything under it. {@code .outpost/} and {@code .git/} are always left out.
 */
public final class IgnoreRules {
    /** Read in this order; the first file found is the only one used. */
    public static final List<String> FILES = List.of(".outpostignore", ".dockerignore");
    private static final List<String> ALWAYS = List.of(".outpost", ".git");

    private final List<Rule> rules;

    private IgnoreRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The rules of {@code dir}: its {@code .outpostignore}, else its {@code .dockerignore}, else none. */
    public static IgnoreRules load(Path dir) throws IOException {
        for (String name : FILES) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                return parse(Files.readString(file));
            }
        }
        return parse("");
    }

    /** Rules from the text of an ignore file. */
    public static IgnoreRules parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean include = line.startsWith("!");
            if (include) {
                line = line.substring(1).strip();
            }
            String pattern = clean(line);
            if (pattern.isEmpty()) {
                continue;
            }
            rules.add(new Rule(compile(pattern), include));
        }
        return new IgnoreRules(rules);
    }

    /** Whether the file or directory at {@code relative} ({@code /}-separated, no leading slash) stays out. */
    public boolean excludes(String relative) {
        String path = clean(relative);
        for (String always : ALWAYS) {
            if (path.equals(always) || path.startsWith(always + "/")) {
                return true;
            }
        }
        boolean excluded = false;
        for (Rule rule : rules) {
            if (rule.matchesOrParentMatches(path)) {
                excluded = !rule.include();
            }
        }
        return excluded;
    }

    /** Whether any rule re-includes something: then an excluded directory must still be searched. */
    public boolean hasReincludes() {
        return rules.stream().anyMatch(Rule::include);
    }

    private record Rule(Pattern pattern, boolean include) {
        boolean matchesOrParentMatches(String path) {
            if (pattern.matcher(path).matches()) {
                return true;
            }
            // Docker matches a pattern against every parent too: "build" leaves out build/a/b.
            for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
                if (pattern.matcher(path.substring(0, i)).matches()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Like Go's filepath.Clean on a relative path: no leading "/" or "./", no "//", no trailing "/". */
    private static String clean(String p) {
        List<String> out = new ArrayList<>();
        for (String part : p.replace('\\', '/').split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty()) {
                    out.removeLast();
                }
                continue;
            }
            out.add(part);
        }
        return String.join("/", out);
    }

    private static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        int n = glob.length();
        for (int i = 0; i < n; i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < n && glob.charAt(i + 1) == '*') {
                        i++;
                        if (i + 1 < n && glob.charAt(i + 1) == '/') {
                            // "**/" is zero or more whole directories
                            i++;
                            re.append("(?:.*/)?");
                        } else {
                            re.append(".*");
                        }
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int close = glob.indexOf(']', i + 1);
                    if (close < 0) {
                        re.append("\\[");
                    } else {
                        String cls = glob.substring(i + 1, close);
                        if (cls.startsWith("^") || cls.startsWith("!")) {
                            cls = "^" + cls.substring(1);
                        }
                        re.append('[').append(cls.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                        i = close;
                    }
                }
                case '\\' -> {
                    if (i + 1 < n) {
                        i++;
                        re.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
