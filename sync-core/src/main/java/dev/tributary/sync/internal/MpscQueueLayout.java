package dev.tributary.sync.internal;

/**
 * The field layout of {@link MpscQueue}: the producers' fields and the consumer's fields on cache
 * lines of their own, so that a producer's fetch-and-add on {@code tailPosition} does not
 * invalidate the line the consumer writes {@code head} to, and the other way round (false sharing:
 * each message would otherwise move that line between the cores twice more). A JVM lays out a
 * superclass's fields before its subclass's, so the padding classes of this chain keep the groups
 * apart; 128 bytes of padding cover two 64-byte lines, as adjacent-line prefetching pairs them. The
 * technique is the usual one of JCTools' queues; no padding is needed on the blocks, whose ready
 * word is the hand-off itself.
 */
final class MpscQueueLayout {
    private MpscQueueLayout() {}

    /** Keeps the producers' fields off the object header's line and whatever precedes it. */
    abstract static class HeadPad {
        long p00, p01, p02, p03, p04, p05, p06, p07;
        long p08, p09, p10, p11, p12, p13, p14, p15;
    }

    /** Written by producers. */
    abstract static class ProducerFields extends HeadPad {
        /** The next position to hand out: fetch-and-add by each push. */
        volatile long tailPosition;

        /** The block the walks start from; CAS forward by a producer that is ahead. */
        volatile MpscQueue.Block tailBlock;

        /**
         * A filler: HotSpot places a class's small fields in the holes its superclasses left (here
         * the word after the header), and a subclass's field there would be fine; it is the holes
         * after each group that must not take the queue's own fields (see ConsumerFields).
         */
        int producerFill;
    }

    /** Between the producers' and the consumer's fields. */
    abstract static class MidPad extends ProducerFields {
        long q00, q01, q02, q03, q04, q05, q06, q07;
        long q08, q09, q10, q11, q12, q13, q14, q15;
    }

    /** Written by the consumer only (release stores), read by anyone (acquire). */
    abstract static class ConsumerFields extends MidPad {
        /** The next position to take. */
        volatile long head;

        /** The block of {@code head}. */
        volatile MpscQueue.Block headBlock;

        /** The oldest block not yet recycled; consumer-confined. */
        MpscQueue.Block freeHead;

        /** Where the last recycled block was appended (a hint); consumer-confined. */
        MpscQueue.Block lastRecycled;

        /**
         * Fillers for the two holes left so far (the word after {@code tailBlock} and the one after
         * {@code lastRecycled}, with compressed references), so that the queue's final fields, read
         * by every push, are laid out after the tail padding instead of beside {@code head}, which
         * the consumer writes on every poll. Checked with JOL: tailPosition at offset 144, head at
         * 288, the final fields from 440.
         */
        int consumerFill0, consumerFill1;
    }

    /** Keeps the consumer's fields off the line of whatever the heap places next. */
    abstract static class TailPad extends ConsumerFields {
        long r00, r01, r02, r03, r04, r05, r06, r07;
        long r08, r09, r10, r11, r12, r13, r14, r15;
    }
}
