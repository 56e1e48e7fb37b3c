package dev.tributary.sync.internal;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * As {@link MpscQueueLincheckTest}, with at most one spare block beyond the tail, so that the
 * scenarios also reach the consumer's recycling hint (the block it appended last) and the path that
 * drops a reclaimed block because a spare already waits.
 */
@Timeout(300)
@Param(name = "v", gen = IntGen.class, conf = "1:9")
public class MpscQueueSpareLincheckTest {
    private final MpscQueue<Integer> queue = new MpscQueue<>(1, 1);

    /** Appends a value. */
    @Operation
    public void push(@Param(name = "v") int v) {
        queue.push(v);
    }

    /** Takes the head, or null if empty (never spuriously). */
    @Operation(nonParallelGroup = "consumer")
    public Integer poll() {
        return queue.pollWaiting();
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
