package dev.tributary.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One of issue 14's performance targets, checked against the results of a run.
 *
 * <p>A speed target compares {@code peer ns/op ÷ tributary ns/op} in the group named by {@code
 * group} with its floor and goal: "≥ 2.5× ArrayBlockingQueue" is {@code floor = 2.5}. An allocation
 * target ({@code peer == null}) compares the Tributary result's bytes per operation: it holds at or
 * below {@code floor}.
 *
 * <p>A ratio carries JMH's score errors: with {@code r = p / t}, its relative error is {@code
 * sqrt((ep/p)² + (et/t)²)} and its interval {@code r · (1 ± rel)}. A bound is met only when the
 * whole interval lies at or above it, missed when the whole interval lies below, and unclear when
 * the interval contains it (see {@link Verdict}).
 *
 * @param label what the issue asks, in words
 * @param group the result group, as {@link Result#group()} spells it
 * @param tributary the Tributary implementation's {@code impl} value
 * @param peer the peer's {@code impl} value, or null for an allocation target
 * @param now the figure issue 14's table gives before the work, as text
 * @param floor the smallest ratio that must be reached, or the most bytes per operation allowed
 * @param goal the ratio aimed at, or the bytes per operation aimed at
 */
public record Target(
        String label,
        String group,
        String tributary,
        String peer,
        String now,
        double floor,
        double goal) {

    /** Whether a measured value reaches a bound. */
    public enum Verdict {
        /** The whole interval (or the bytes figure) is on the right side of the bound. */
        MET("yes"),
        /** The whole interval (or the bytes figure) is on the wrong side of the bound. */
        MISSED("**no**"),
        /** The interval contains the bound: rerun with more forks, or say so. */
        STRADDLES("unclear (straddles)"),
        /** JMH gave no error (fewer than two iterations), so the interval is unknown. */
        NO_ERROR("unclear (no ±)");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        /**
         * The verdict as the report's table shows it.
         *
         * @return e.g. {@code yes}
         */
        public String text() {
            return text;
        }
    }

    /**
     * A measured ratio with its relative error, or a bytes-per-operation figure.
     *
     * @param value the ratio or the bytes per operation
     * @param relativeError the ratio's relative error; 0 for bytes, NaN when JMH gave no error
     */
    public record Measured(double value, double relativeError) {

        /**
         * The absolute half-width of the interval.
         *
         * @return {@code value · relativeError}
         */
        public double error() {
            return value * relativeError;
        }
    }

    /**
     * Whether this is an allocation target.
     *
     * @return true when there is no peer
     */
    public boolean isAllocation() {
        return peer == null;
    }

    /**
     * Measures this target.
     *
     * @param results every result of the run
     * @return the measured ratio (or bytes per operation), or empty when the run lacks a result
     */
    public Optional<Measured> measure(List<Result> results) {
        Optional<Result> t = find(results, tributary);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        if (isAllocation()) {
            double b = t.get().bytesPerOp();
            return Double.isNaN(b) ? Optional.empty() : Optional.of(new Measured(b, 0));
        }
        return find(results, peer).map(p -> ratio(p, t.get()));
    }

    /**
     * The ratio of a peer to a Tributary result, with the propagated relative error.
     *
     * @param peer the peer's result
     * @param tributary the Tributary result
     * @return {@code peer.score / tributary.score} and its relative error
     */
    static Measured ratio(Result peer, Result tributary) {
        double ep = peer.error() / peer.score();
        double et = tributary.error() / tributary.score();
        return new Measured(peer.score() / tributary.score(), Math.sqrt(ep * ep + et * et));
    }

    /**
     * Whether a measured value meets the floor.
     *
     * @param m a value from {@link #measure(List)}
     * @return the verdict
     */
    public Verdict floorMet(Measured m) {
        return judge(m, floor);
    }

    /**
     * Whether a measured value meets the goal.
     *
     * @param m a value from {@link #measure(List)}
     * @return the verdict
     */
    public Verdict goalMet(Measured m) {
        return judge(m, goal);
    }

    private Verdict judge(Measured m, double bound) {
        if (isAllocation()) {
            return m.value() <= bound ? Verdict.MET : Verdict.MISSED;
        }
        if (Double.isNaN(m.relativeError())) {
            return Verdict.NO_ERROR;
        }
        double low = m.value() * (1 - m.relativeError());
        double high = m.value() * (1 + m.relativeError());
        if (low >= bound) {
            return Verdict.MET;
        }
        return high < bound ? Verdict.MISSED : Verdict.STRADDLES;
    }

    /**
     * A bound in words.
     *
     * @param bound {@link #floor()} or {@link #goal()}
     * @return e.g. {@code ≥ 2.50×} or {@code ≤ 24 B/op}
     */
    public String describeBound(double bound) {
        return isAllocation()
                ? String.format(Locale.ROOT, "≤ %s B/op", Report.fmt(bound))
                : String.format(Locale.ROOT, "≥ %.2f×", bound);
    }

    /**
     * The measured value in words.
     *
     * @param m a value from {@link #measure(List)}
     * @return e.g. {@code 2.31× ± 0.08} or {@code 0.0 B/op}
     */
    public String describe(Measured m) {
        if (isAllocation()) {
            return String.format(Locale.ROOT, "%.1f B/op", m.value());
        }
        return Double.isNaN(m.relativeError())
                ? String.format(Locale.ROOT, "%.2f× ± ?", m.value())
                : String.format(Locale.ROOT, "%.2f× ± %.2f", m.value(), m.error());
    }

    private Optional<Result> find(List<Result> results, String impl) {
        return results.stream()
                .filter(r -> r.group().equals(group) && r.impl().equals(impl))
                .findFirst();
    }
}
