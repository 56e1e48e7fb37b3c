package dev.tributary.bench.report;

import java.util.List;

/**
 * Issue 5's targets, as groups and implementations of the benchmarks in this module. A speed
 * target's {@code min} is the smallest {@code peer ns/op ÷ tributary ns/op} that meets it; an
 * allocation target's is the most bytes per operation.
 */
final class Targets {

    private Targets() {}

    private static final String MPSC_1 = "MpscThroughput.blocking capacity=1024 producers=1";
    private static final String MPSC_4 = "MpscThroughput.blocking capacity=1024 producers=4";
    private static final String VIEW = "MpscPublisherView.batch capacity=1024 request=256";

    /**
     * Every target. "0 B/message" allows 1 B: JMH's allocation figure includes the harness's own
     * per-iteration allocation spread over the batch.
     */
    static final List<Target> ALL =
            List.of(
                    new Target(
                            "mpsc 1 → 1, capacity 1024, blocking: ≥ 2× ArrayBlockingQueue",
                            MPSC_1,
                            "tributary",
                            "ArrayBlockingQueue",
                            2),
                    new Target(
                            "mpsc 1 → 1, capacity 1024, blocking: ≥ 0.8× JCTools"
                                    + " MpscBlockingConsumerArrayQueue",
                            MPSC_1,
                            "tributary",
                            "JCToolsMpscBlocking",
                            0.8),
                    new Target(
                            "mpsc 4 → 1, capacity 1024, blocking: ≥ 2× ArrayBlockingQueue",
                            MPSC_4,
                            "tributary",
                            "ArrayBlockingQueue",
                            2),
                    new Target(
                            "mpsc Publisher view, request 256: ≥ 1.5× Reactor unicast sink",
                            VIEW,
                            "tributary",
                            "ReactorUnicast",
                            1.5),
                    new Target(
                            "mpsc Publisher view, request 256: ≥ 1.2× RxJava UnicastProcessor",
                            VIEW,
                            "tributary",
                            "RxUnicastProcessor",
                            1.2),
                    new Target(
                            "oneshot request/reply: within 1.3× of CompletableFuture",
                            "OneshotRequestReply.requestReply",
                            "tributary",
                            "CompletableFuture",
                            1 / 1.3),
                    new Target(
                            "broadcast 1 → 4 subscribers (capacity 1024): ≥ 2× SubmissionPublisher",
                            "BroadcastFanOut.fanOut capacity=1024 subscribers=4",
                            "tributary",
                            "SubmissionPublisher",
                            2),
                    new Target(
                            "Mutex uncontended: async lock() + release at least as fast as"
                                    + " asyncutil AsyncLock",
                            "MutexUncontended.acquireRelease",
                            "tributary",
                            "AsyncLock",
                            1),
                    new Target(
                            "Mutex uncontended: tryLock() + release within 1.5× of ReentrantLock",
                            "MutexUncontended.acquireRelease",
                            "tributary-tryLock",
                            "ReentrantLock",
                            1 / 1.5),
                    new Target(
                            "0 B/message: bounded mpsc blocking path (1 → 1, capacity 1024)",
                            MPSC_1,
                            "tributary",
                            null,
                            1),
                    new Target(
                            "0 B/message: mpsc Publisher view (request 256)",
                            VIEW,
                            "tributary",
                            null,
                            1));
}
