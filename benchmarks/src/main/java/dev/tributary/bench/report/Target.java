package dev.tributary.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One of issue 5's performance targets, checked against the results of a run.
 *
 * <p>A speed target holds when {@code peer ns/op ÷ tributary ns/op ≥ min} in the group named by
 * {@code group}: "≥ 2× ArrayBlockingQueue" is {@code min = 2}, "within 1.3× of CompletableFuture"
 * is {@code min = 1 / 1.3}. An allocation target ({@code peer == null}) holds when the Tributary
 * result allocates at most {@code min} bytes per operation.
 *
 * @param label what the issue asks, in words
 * @param group the result group, as {@link Result#group()} spells it
 * @param tributary the Tributary implementation's {@code impl} value
 * @param peer the peer's {@code impl} value, or null for an allocation target
 * @param min the smallest ratio that meets the target, or the most bytes per operation
 */
public record Target(String label, String group, String tributary, String peer, double min) {

    /**
     * Checks this target.
     *
     * @param results every result of the run
     * @return the measured ratio (or bytes per operation), or empty when the run lacks a result
     */
    public Optional<Double> measure(List<Result> results) {
        Optional<Result> t = find(results, tributary);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        if (peer == null) {
            double b = t.get().bytesPerOp();
            return Double.isNaN(b) ? Optional.empty() : Optional.of(b);
        }
        return find(results, peer).map(p -> p.score() / t.get().score());
    }

    /**
     * Whether a measured value meets this target.
     *
     * @param measured a value from {@link #measure(List)}
     * @return true if met
     */
    public boolean met(double measured) {
        return peer == null ? measured <= min : measured >= min;
    }

    /**
     * The measured value in words.
     *
     * @param measured a value from {@link #measure(List)}
     * @return e.g. {@code 2.31×} or {@code 0.0 B/op}
     */
    public String describe(double measured) {
        return peer == null
                ? String.format(Locale.ROOT, "%.1f B/op", measured)
                : String.format(Locale.ROOT, "%.2f×", measured);
    }

    private Optional<Result> find(List<Result> results, String impl) {
        return results.stream()
                .filter(r -> r.group().equals(group) && r.impl().equals(impl))
                .findFirst();
    }
}
