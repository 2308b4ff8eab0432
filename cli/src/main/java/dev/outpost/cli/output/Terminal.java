package dev.outpost.cli.output;

import java.io.Console;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** Whether standard output is an interactive terminal, where progress may redraw itself. */
public final class Terminal {
    private Terminal() {}

    /**
     * True when stdin and stdout are a terminal. Since JDK 22 {@link System#console()} exists even
     * when output is redirected and {@code Console.isTerminal()} tells the difference; this code is
     * compiled for 21, so that method is looked up when present.
     */
    public static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        if (System.getenv("TERM") != null && System.getenv("TERM").equals("dumb")) {
            return false;
        }
        try {
            MethodHandle isTerminal = MethodHandles.publicLookup()
                    .findVirtual(Console.class, "isTerminal", MethodType.methodType(boolean.class));
            return (boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return true; // JDK 21: a console exists only for a terminal
        } catch (Throwable e) {
            return false;
        }
    }
}
