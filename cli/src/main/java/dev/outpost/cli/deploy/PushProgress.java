package dev.outpost.cli.deploy;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-layer progress of a {@code docker push}, from docker's own output. Docker writes to a pipe
 * (as here) without its progress bars, one {@code <layer>: <state>} line per change
 * ({@code Preparing}, {@code Waiting}, {@code Pushing}, {@code Pushed}, {@code Layer already exists},
 * {@code Mounted from …}); this shows each layer's state once per change, indented under the
 * deploy's own lines, and remembers whether any layer's bytes went up.
 */
public final class PushProgress implements Consumer<String> {
    private static final Pattern LAYER = Pattern.compile("^([0-9a-f]{12}): (.+?)\\s*$");
    private static final Pattern COUNTDOWN = Pattern.compile("^Retrying in \\d+ seconds?$");

    private final PrintWriter out;
    private final Map<String, String> states = new HashMap<>();
    private boolean uploaded;

    public PushProgress(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void accept(String line) {
        Matcher m = LAYER.matcher(line);
        if (m.matches()) {
            String state = stateOf(m.group(2));
            if (state.equals(states.put(m.group(1), state))) {
                return;
            }
            if (state.equals("Pushed")) {
                uploaded = true;
            }
            out.println("  layer " + m.group(1) + ": " + state);
        } else if (!line.isBlank()) {
            out.println("  " + line.strip());
        }
        out.flush();
    }

    /** Whether at least one layer was uploaded (rather than found in the registry already). */
    public boolean uploaded() {
        return uploaded;
    }

    /** The state without a progress bar or byte counts, should docker send one, and without a retry's countdown. */
    static String stateOf(String status) {
        int bar = status.indexOf(" [");
        String state = bar < 0 ? status.strip() : status.substring(0, bar).strip();
        // docker counts a retry down one line a second: one "Retrying" says it
        return COUNTDOWN.matcher(state).matches() ? "Retrying" : state;
    }
}
