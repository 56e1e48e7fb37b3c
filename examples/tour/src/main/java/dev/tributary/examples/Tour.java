package dev.tributary.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tour: runs every example in turn and tells what happened in each, a few lines per example.
 * Run it with {@code ./mvnw -q -pl examples/tour -am package -Dmaven.test.skip=true -Ptour}.
 *
 * <p>Each example is a class of this package with a {@code run(Narrator)} method; the tour prints a
 * heading per example, the example's own lines, and whether the example achieved what it shows (its
 * {@link Outcome}). An example that fails or throws is reported and the tour goes on.
 */
public final class Tour {
    private Tour() {}

    /** An example as the tour runs it. */
    @FunctionalInterface
    public interface Example {
        /**
         * Runs the example.
         *
         * @param out where the example tells what happens
         * @return what the example observed
         * @throws Exception if the example itself broke
         */
        Outcome run(Narrator out) throws Exception;
    }

    /**
     * One stop of the tour.
     *
     * @param name the example's class name
     * @param primitive the primitives it shows
     * @param shows what it shows, in a few words
     * @param example the example
     */
    public record Stop(String name, String primitive, String shows, Example example) {}

    /**
     * How one stop went.
     *
     * @param stop the stop
     * @param succeeded whether the example ran and achieved what it shows
     * @param failure what it threw, or null
     */
    public record Report(Stop stop, boolean succeeded, Throwable failure) {}

    /**
     * Returns the stops, in the order the tour visits them.
     *
     * @return every example
     */
    public static List<Stop> stops() {
        return List.of(
                new Stop(
                        "OneshotComputation",
                        "Oneshot",
                        "a task's result sent to the task waiting for it; the same through the"
                                + " task's own CompletableFuture",
                        OneshotComputation::run),
                new Stop(
                        "MpscStreaming",
                        "Mpsc",
                        "the results of a series of computations streamed as each is ready,"
                                + " capacity as back-pressure",
                        MpscStreaming::run),
                new Stop(
                        "MpscSocketWriter",
                        "Mpsc",
                        "ten tasks sending over one TCP socket that a single writer task owns",
                        MpscSocketWriter::run),
                new Stop(
                        "CounterActor",
                        "Mpsc + Oneshot",
                        "a task owning a counter, serving \"fetch and increment\" requests that"
                                + " carry a reply channel",
                        CounterActor::run),
                new Stop(
                        "BroadcastFanOut",
                        "Broadcast",
                        "fan-out to three receivers; the slow one lags, is told how many it missed,"
                                + " and recovers",
                        BroadcastFanOut::run),
                new Stop(
                        "WatchConfigFile",
                        "Watch",
                        "a configuration file checked periodically, each change signalled to the"
                                + " workers",
                        WatchConfigFile::run),
                new Stop(
                        "BarrierPhases",
                        "Barrier",
                        "workers starting each phase together, one leader per generation",
                        BarrierPhases::run),
                new Stop(
                        "MutexLedger",
                        "Mutex",
                        "tellers posting transfers to one shared ledger",
                        MutexLedger::run),
                new Stop(
                        "NotifyJobs",
                        "Notify",
                        "a worker sleeping until a job is queued, never missing one",
                        NotifyJobs::run),
                new Stop(
                        "RwLockRoutingTable",
                        "RwLock",
                        "a read-mostly routing table: readers together, the writer waits, then"
                                + " goes first",
                        RwLockRoutingTable::run),
                new Stop(
                        "SemaphoreConnectionLimit",
                        "Semaphore",
                        "ten queries through a limit of three connections",
                        SemaphoreConnectionLimit::run),
                new Stop(
                        "OnceCellCache",
                        "OnceCell",
                        "a cache filled once by the first of five concurrent callers",
                        OnceCellCache::run),
                new Stop(
                        "SetOnceShutdown",
                        "SetOnce",
                        "a shutdown signal with its reason; the first reason wins",
                        SetOnceShutdown::run));
    }

    /**
     * Runs every stop in turn, telling {@code out} what happens.
     *
     * @param out where to tell it
     * @return one report per stop, in order
     */
    public static List<Report> run(Narrator out) {
        List<Stop> stops = stops();
        List<Report> reports = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < stops.size(); i++) {
            Stop stop = stops.get(i);
            out.heading(
                    "[%d/%d] %s (%s): %s",
                    i + 1, stops.size(), stop.primitive(), stop.name(), stop.shows());
            Report report;
            try {
                Outcome outcome = stop.example().run(out);
                report = new Report(stop, outcome.succeeded(), null);
                out.say(outcome.succeeded() ? "-> ok" : "-> FAILED: %s", outcome);
            } catch (Exception e) {
                report = new Report(stop, false, e);
                out.say("-> FAILED: %s", e);
            }
            reports.add(report);
        }
        long ok = reports.stream().filter(Report::succeeded).count();
        out.heading(
                "%d of %d examples succeeded in %s s",
                ok,
                reports.size(),
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        return reports;
    }

    /**
     * Runs the tour, printing to standard output.
     *
     * @param args ignored
     * @throws IllegalStateException if an example failed (so the build that ran the tour fails)
     */
    public static void main(String[] args) {
        List<Report> reports = run(Narrator.printingTo(System.out));
        List<String> failed =
                reports.stream().filter(r -> !r.succeeded()).map(r -> r.stop().name()).toList();
        if (!failed.isEmpty()) {
            throw new IllegalStateException("examples failed: " + failed);
        }
    }
}
