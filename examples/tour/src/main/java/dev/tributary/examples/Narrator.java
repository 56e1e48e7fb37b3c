package dev.tributary.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where an example tells what happened: one line per event, printed (optionally) and kept, so the
 * tour prints them and a test can read them back.
 *
 * <p>Thread-safe: lines said from several threads at once are kept whole, in the order the calls
 * took the lock. The examples say most lines from their coordinating thread, so the narrative reads
 * the same on every run.
 */
public final class Narrator {
    private final PrintStream out;
    private final List<String> lines = new ArrayList<>();

    private Narrator(PrintStream out) {
        this.out = out;
    }

    /**
     * Returns a narrator that prints every line to {@code out} and keeps it.
     *
     * @param out where to print
     * @return a new narrator
     * @throws NullPointerException if {@code out} is null
     */
    public static Narrator printingTo(PrintStream out) {
        return new Narrator(Objects.requireNonNull(out, "out must not be null"));
    }

    /**
     * Returns a narrator that only keeps its lines (for tests).
     *
     * @return a new narrator
     */
    public static Narrator quiet() {
        return new Narrator(null);
    }

    /**
     * Starts a section: a heading line, not indented.
     *
     * @param format a {@link String#format(String, Object...)} format
     * @param args its arguments
     */
    public void heading(String format, Object... args) {
        emit(String.format(Locale.ROOT, format, args));
    }

    /**
     * Tells one event of the current section: an indented line.
     *
     * @param format a {@link String#format(String, Object...)} format
     * @param args its arguments
     */
    public void say(String format, Object... args) {
        emit("  " + String.format(Locale.ROOT, format, args));
    }

    /**
     * Returns every line told so far, headings included, in order.
     *
     * @return a copy of the lines
     */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    private synchronized void emit(String line) {
        lines.add(line);
        if (out != null) {
            out.println(line);
            out.flush();
        }
    }
}
