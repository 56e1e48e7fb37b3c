package dev.tributary.sync.internal;

/**
 * As {@link MpscQueueLincheckTest} (same operations and options, inherited), with at most one spare
 * block beyond the tail, so that the scenarios also reach the consumer's recycling hint (the block
 * it appended last) and the path that drops a reclaimed block because a spare already waits.
 */
public class MpscQueueSpareLincheckTest extends MpscQueueLincheckTest {

    /** Two-slot blocks, one spare. */
    @Override
    protected MpscQueue<Integer> newQueue() {
        return new MpscQueue<>(1, 1);
    }
}
