package dev.tributary.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Issue 14's targets, as groups and implementations of the benchmarks in this module: one {@link
 * Target} per row, peer, capacity and producer count of the table, a second target for the
 * bytes part of a row ("1× at ≤ 24 B/msg"), and the rows of the second harness style ({@code
 * MpscFreshThreads}). "now" is the figure before the work.
 *
 * <p>"0 B/message" allows 1 B: JMH's allocation figure includes the harness's own per-iteration
 * allocation spread over the batch.
 */
final class Targets {

    private Targets() {}

    /** The bytes per operation that stand for "0 B". */
    static final double ZERO_BYTES = 1;

    private static final String JCTOOLS = "JCToolsMpscBlocking";
    private static final String ABQ = "ArrayBlockingQueue";

    /** Every target, in the order of issue 14's table. */
    static final List<Target> ALL = build();

    private static List<Target> build() {
        List<Target> t = new ArrayList<>();
        String mpsc1 = mpsc("blocking", 1, 1024);
        String mpsc4 = mpsc("blocking", 4, 1024);
        String path1 = "mpsc 1 → 1, capacity 1024, blocking";
        t.add(speed(path1, mpsc1, "tributary", ABQ, "1.64×", 2.5, 4));
        t.add(speed(path1, mpsc1, "tributary", JCTOOLS, "0.26×", 0.6, 1));
        String path4 = "mpsc 4 → 1, capacity 1024, blocking";
        t.add(speed(path4, mpsc4, "tributary", ABQ, "0.33×", 1.2, 2));
        t.add(speed(path4, mpsc4, "tributary", JCTOOLS, "0.20×", 0.5, 0.8));
        String[][] small = {{"1", "1.6×", "0.06×"}, {"16", "1.2×", "0.18×"}};
        for (String[] s : small) {
            int capacity = Integer.parseInt(s[0]);
            String path = "mpsc 1 → 1, capacity " + capacity + ", blocking";
            String group = mpsc("blocking", 1, capacity);
            t.add(speed(path, group, "tributary", ABQ, s[1], 2, 3));
            t.add(speed(path, group, "tributary", JCTOOLS, s[2], 0.3, 0.6));
        }
        for (int producers : new int[] {1, 4}) {
            String path = "mpsc async (`send`/`recv` futures), " + producers + " → 1";
            String group = mpsc("async", producers, 1024);
            t.add(speed(path, group, "tributary-async", "ReactorUnicast", "0.33×", 1, 1.5));
            t.add(bytes(path, group, "tributary-async", "168 B/msg", 24, ZERO_BYTES));
        }
        String view = "MpscPublisherView.batch capacity=1024 request=256";
        String viewPath = "mpsc Publisher view, request 256";
        t.add(speed(viewPath, view, "tributary", "ReactorUnicast", "0.55×", 1.2, 2));
        t.add(speed(viewPath, view, "tributary", "RxUnicastProcessor", "0.41×", 1, 1.5));
        String fanOut = "BroadcastFanOut.fanOut capacity=1024 subscribers=4";
        t.add(
                speed(
                        "broadcast `recv`, 1 → 4",
                        fanOut,
                        "tributary",
                        "SubmissionPublisher",
                        "0.90×",
                        2,
                        3));
        String bview = "broadcast Publisher view, 1 → 4";
        for (String peer : new String[] {"ReactorMulticast", "RxPublishProcessor"}) {
            t.add(speed(bview, fanOut, "tributary-publisher", peer, "~0.16×", 1, 1.5));
        }
        t.add(bytes(bview, fanOut, "tributary-publisher", "469 B/msg", 8, ZERO_BYTES));
        t.add(
                speed(
                        "watch `send` + `borrow`",
                        "WatchSendBorrow.sendBorrow",
                        "tributary",
                        "RxBehaviorProcessor",
                        "0.60× at 32 B",
                        1,
                        2));
        t.add(
                speed(
                        "Mutex uncontended `tryLock` + release",
                        "MutexUncontended.acquireRelease",
                        "tributary-tryLock",
                        "ReentrantLock",
                        "0.58×",
                        0.8,
                        1));
        t.add(
                speed(
                        "Mutex contended, 2 threads, blocking (both FIFO)",
                        "MutexContended.acquireRelease threads=2",
                        "tributary",
                        "ReentrantLockFair",
                        "0.49×",
                        1,
                        2));
        t.add(
                speed(
                        "Semaphore uncontended acquire + release",
                        "SemaphoreAcquire.uncontended permits=1 threads=4",
                        "tributary",
                        "Semaphore",
                        "0.64×",
                        0.9,
                        1.2));
        for (int waiters : new int[] {10, 100}) {
            t.add(
                    speed(
                            "Notify, " + waiters + " async waiters woken",
                            "NotifyWake.asyncWaiters waiters=" + waiters,
                            "tributary",
                            "CompletableFuture",
                            "0.45×",
                            1,
                            1.5));
        }
        String oneshot = "oneshot create + send + recv";
        String create = "OneshotCreateComplete.createComplete";
        t.add(speed(oneshot, create, "tributary", "CompletableFuture", "0.28×", 0.6, 1));
        t.add(bytes(oneshot, create, "tributary", "80 B", 48, 32));
        t.add(bytes("allocation, bounded blocking path 1 → 1", mpsc1, "tributary", "0 B/msg"));
        t.add(bytes("allocation, bounded blocking path 4 → 1", mpsc4, "tributary", "0 B/msg"));
        t.add(bytes("allocation, mpsc Publisher view, request 256", view, "tributary", "0 B/msg"));
        for (int producers : new int[] {1, 4}) {
            String path =
                    "second harness style (fresh threads, boxed), mpsc "
                            + producers
                            + " → 1, capacity 1024";
            String group = "MpscFreshThreads.batch capacity=1024 producers=" + producers;
            String now = producers == 1 ? "0.58×" : "0.25×";
            t.add(speed(path, group, "tributary", ABQ, now, 1, 1));
            t.add(
                    speed(
                            path,
                            group,
                            "tributary",
                            JCTOOLS,
                            producers == 1 ? "0.54×" : "—",
                            0.8,
                            0.8));
        }
        return List.copyOf(t);
    }

    private static String mpsc(String method, int producers, int capacity) {
        return "MpscThroughput." + method + " capacity=" + capacity + " producers=" + producers;
    }

    private static Target speed(
            String path,
            String group,
            String tributary,
            String peer,
            String now,
            double floor,
            double goal) {
        return new Target(path + " vs " + peer, group, tributary, peer, now, floor, goal);
    }

    private static Target bytes(
            String path, String group, String tributary, String now, double floor, double goal) {
        return new Target(path + ": bytes/op", group, tributary, null, now, floor, goal);
    }

    private static Target bytes(String path, String group, String tributary, String now) {
        return bytes(path, group, tributary, now, ZERO_BYTES, ZERO_BYTES);
    }
}
