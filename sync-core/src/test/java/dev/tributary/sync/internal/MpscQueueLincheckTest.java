package dev.tributary.sync.internal;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of {@link MpscQueue} alone with Lincheck: concurrent producers against the single
 * consumer ({@code nonParallelGroup = "consumer"}), with two-slot blocks so that the scenarios
 * cross block boundaries, advance the tail block, release blocks and recycle them. The sequential
 * specification is the queue itself run sequentially (a FIFO queue); {@code poll} (which waits out
 * an in-progress push, as JCTools' {@code poll}) must never report empty while an element is
 * linearized in the queue.
 */
@Timeout(300)
@Param(name = "v", gen = IntGen.class, conf = "1:9")
public class MpscQueueLincheckTest {
    private final MpscQueue<Integer> queue = newQueue();

    /**
     * The queue under test: two-slot blocks and the default spare limit. Subclasses choose other
     * block shapes or spare limits (a factory, since JUnit wants a single constructor).
     *
     * @return an empty queue
     */
    protected MpscQueue<Integer> newQueue() {
        return new MpscQueue<>(1);
    }

    /** Appends a value. */
    @Operation
    public void push(@Param(name = "v") int v) {
        queue.push(v);
    }

    /** Takes the head, or null if empty (never spuriously). */
    @Operation(nonParallelGroup = "consumer")
    public Integer poll() {
        return queue.poll();
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions()
                .iterations(Integer.getInteger("lincheck.iterations", 12))
                .invocationsPerIteration(Integer.getInteger("lincheck.invocations", 300))
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(3)
                .actorsAfter(2)
                .check(getClass());
    }
}
