package dev.tributary.sync.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The data path of the mpsc channel: an unbounded, lock-free, multi-producer single-consumer FIFO
 * queue of non-null elements, built from a linked list of fixed-size blocks that are recycled.
 * Ported from tokio's {@code sync/mpsc/list.rs} and {@code block.rs}.
 *
 * <ul>
 *   <li><b>Producers</b>: any number, concurrently; {@link #push(Object)} is lock-free (one
 *       fetch-and-add for the position, one that sets the slot's ready bit; a CAS when it links or
 *       advances a block).
 *   <li><b>Consumer</b>: one at a time. The consumer methods ({@link #poll()}, {@link
 *       #relaxedPoll()}) must not run concurrently with each other; the role may move between
 *       threads only through a happens-before edge (the channel hands it over with a CAS on its
 *       receiver-waiter field).
 *   <li><b>Names as in JCTools</b>: {@link #poll()} is never spuriously empty: it waits out an
 *       in-progress push (a producer that took its position but has not written its slot yet).
 *       {@link #relaxedPoll()} does not wait and may return null while such a push is at the head.
 * </ul>
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>Positions.</b> Every element gets a position from {@code tailPosition.getAndAdd(1)}. Block
 * {@code b} holds positions {@code b.start .. b.start + blockSize - 1} ({@code blockSize} is a
 * power of two, 32 by default) in {@code b.slots}. Bit {@code i} of {@code b.ready} is set (a
 * volatile add of the clear bit, which releases the plain slot write) once slot {@code i} holds its
 * element; bit {@code RELEASED} is set once no producer can reach the block any more (below).
 *
 * <p><b>Producers.</b> After taking position {@code p}, a producer walks from {@code tailBlock} to
 * the block that starts at {@code p & ~(blockSize - 1)}, appending a new block (CAS on {@code
 * next}) when it falls off the end. While walking, a producer that is at least a block ahead of its
 * offset moves {@code tailBlock} forward past a block whose every slot is ready ("final") and then
 * releases it: it records {@code observedTail = tailPosition} and sets {@code RELEASED}. Every
 * producer that could still hold a reference to a released block took its position before that
 * read, so it has a position below {@code observedTail}.
 *
 * <p><b>Consumer.</b> {@code head} is the next position to take, {@code headBlock} its block (both
 * written only by the consumer, published with release stores so that {@link #len()} and {@link
 * #readyAtHead()} can read them). A slot is taken when its ready bit is set; the slot is then
 * cleared. A block behind {@code headBlock} is recycled once it is released and {@code head >=
 * observedTail} (every producer that could see it has written its slot, which the consumer has
 * taken): the consumer resets it and appends it at the end of the chain, starting from the block it
 * appended last (tokio tries three times from the tail block); only when {@code maxSpareBlocks}
 * spares already wait beyond the tail is the block left to the garbage collector. In steady state
 * (a bounded channel, whose spare limit covers its capacity) no block is allocated, also when the
 * whole buffer fills and drains in bursts.
 *
 * <p><b>Linearization points.</b> push: the fetch-and-add on {@code tailPosition}; {@link #poll()}:
 * the read of a ready slot, or the read of {@code tailPosition == head} for "empty". {@link
 * #relaxedPoll()} is the non-waiting variant used by the channel, which may also report "not ready"
 * while the push at the head is in progress; the channel then relies on that producer's wake-up.
 *
 * <p><b>Access modes.</b> Acquire/release is enough inside the queue: the slot write is a plain
 * store released by the volatile add on {@code ready}, which the consumer's read of {@code ready}
 * acquires; {@code next}, {@code tailBlock} and the recycled block's {@code start} are published by
 * release CASes and read with acquire; {@code head} and {@code headBlock} are release stores. One
 * access needs sequential consistency, for the channel above: the add on {@code ready} is a full
 * volatile read-modify-write, so that the producer's following volatile read of the channel's
 * receiver waiter cannot be reordered before it (the producer's half of the Dekker sleep/wake
 * re-check; the receiver publishes its waiter with a volatile write, then reads {@code ready}
 * through {@link #readyAtHead()}).
 *
 * <p><b>Progress.</b> push is lock-free; relaxedPoll is wait-free; poll blocks (spins, then yields:
 * {@link Spin#backOff(int, int)}) only while a producer is between its fetch-and-add and its slot
 * write.
 *
 * <p>Guarded by {@code MpscQueueLincheckTest} (model checking with two-slot blocks, so that block
 * hand-over and recycling are explored) and by the channel's race and model-checking tests.
 *
 * @param <T> the element type
 */
public final class MpscQueue<T> extends MpscQueueLayout.TailPad {

    private static final int DEFAULT_BLOCK_SHIFT = 5;
    private static final int DEFAULT_SPARE_BLOCKS = 32;
    private static final long RELEASED = 1L << 32;

    /** {@link #poll()} spins this often on an in-progress push before it starts yielding. */
    private static final int PUSH_WAIT_SPINS = 64;

    /** A block of {@code blockSize} slots. */
    static final class Block {
        /** First position held; plain, published by the release CAS that links the block. */
        long start;

        /** The next block; CAS from null by the producer or consumer that links one. */
        volatile Block next;

        /**
         * Ready bits (one per slot) and RELEASED; each set once (by an add of the clear bit, or a
         * bitwise-or) until recycled.
         */
        volatile long ready;

        /** tailPosition when the block was released; written before RELEASED is set. */
        long observedTail;

        final Object[] slots;

        Block(long start, int blockSize) {
            this.start = start;
            this.slots = new Object[blockSize];
        }
    }

    private final int blockSize;
    private final long allReady;

    // The producers' fields (tailPosition, tailBlock) and the consumer's (head, headBlock,
    // freeHead, lastRecycled) are declared in MpscQueueLayout, each group on lines of its own.

    /** At most this many recycled blocks wait beyond the tail block; the rest go to the GC. */
    private final int maxSpareBlocks;

    /** Creates an empty queue with 32-slot blocks that keeps up to 32 spare blocks. */
    public MpscQueue() {
        this(DEFAULT_BLOCK_SHIFT, DEFAULT_SPARE_BLOCKS);
    }

    /**
     * Creates an empty queue with 32-slot blocks that keeps enough spare blocks for {@code
     * capacity} elements in flight, so that a bounded channel allocates nothing in steady state.
     * After a burst it keeps up to its peak of blocks ({@code capacity / 32 + 2} at most) instead
     * of freeing them, as an array-backed queue keeps its whole array.
     *
     * @param capacity the bounded channel's capacity, at least 1
     * @param <T> the element type
     * @return the queue
     */
    public static <T> MpscQueue<T> forCapacity(int capacity) {
        int blocks =
                (int) Math.min(Integer.MAX_VALUE, ((long) capacity >>> DEFAULT_BLOCK_SHIFT) + 2);
        return new MpscQueue<>(DEFAULT_BLOCK_SHIFT, blocks);
    }

    /**
     * Creates an empty queue with {@code 1 << blockShift} slots per block (small blocks let model
     * checking reach block hand-over and recycling).
     *
     * @param blockShift {@code 1..5}
     */
    public MpscQueue(int blockShift) {
        this(blockShift, DEFAULT_SPARE_BLOCKS);
    }

    /**
     * Creates an empty queue with {@code 1 << blockShift} slots per block that keeps at most {@code
     * maxSpareBlocks} recycled blocks beyond the tail.
     *
     * @param blockShift {@code 1..5}
     * @param maxSpareBlocks at least 1
     */
    public MpscQueue(int blockShift, int maxSpareBlocks) {
        if (blockShift < 1 || blockShift > 5) {
            throw new IllegalArgumentException("blockShift must be in 1..5 but was " + blockShift);
        }
        if (maxSpareBlocks < 1) {
            throw new IllegalArgumentException(
                    "maxSpareBlocks must be at least 1 but was " + maxSpareBlocks);
        }
        this.maxSpareBlocks = maxSpareBlocks;
        this.blockSize = 1 << blockShift;
        this.allReady = (1L << blockSize) - 1;
        Block first = new Block(0, blockSize);
        this.tailBlock = first;
        this.headBlock = first;
        this.freeHead = first;
    }

    /**
     * Appends {@code value}. Any thread, concurrently with other producers and the consumer.
     *
     * @param value the element, non-null (checked by the caller)
     */
    public void push(T value) {
        long p = (long) TAIL_POSITION.getAndAdd(this, 1L);
        Block b = findBlock(p);
        int i = (int) (p & (blockSize - 1));
        SLOTS.set(b.slots, i, value); // plain; released by the add below
        // Sets bit i, which is clear: only this push owns position p, and a block's ready word is
        // reset only when it is recycled, after every slot was taken. So an add is the bitwise-or
        // and compiles to one lock xadd, where getAndBitwiseOr is a CAS loop that fails whenever
        // another producer sets its bit meanwhile. Volatile read-modify-write: releases the slot
        // write (pairs with the read of ready in relaxedPoll) and, sequentially consistent, orders
        // it before the caller's volatile read of the receiver waiter (Dekker).
        READY.getAndAdd(b, 1L << i);
    }

    private Block findBlock(long p) {
        long start = p & ~(long) (blockSize - 1);
        int offset = (int) (p & (blockSize - 1));
        Block b = tailBlock; // acquire; pairs with the CAS that advances tailBlock
        // Like tokio: only a producer that is further ahead (in blocks) than its offset moves the
        // tail, which keeps the contention on tailBlock low.
        boolean tryUpdatingTail = (start - b.start) / blockSize > offset;
        for (; ; ) {
            if (b.start == start) {
                return b;
            }
            Block next = b.next;
            if (next == null) {
                next = grow(b);
            }
            tryUpdatingTail &= (b.ready & allReady) == allReady;
            if (tryUpdatingTail) {
                if (TAIL_BLOCK.compareAndSet(this, b, next)) {
                    b.observedTail = tailPosition;
                    READY.getAndBitwiseOr(b, RELEASED); // release; pairs with reclaim's read
                } else {
                    tryUpdatingTail = false;
                }
            }
            b = next;
        }
    }

    /** Links a new block after {@code b} (or returns the one another thread linked first). */
    private Block grow(Block b) {
        Block nb = new Block(b.start + blockSize, blockSize);
        Block witness = (Block) NEXT.compareAndExchange(b, null, nb); // release
        return witness == null ? nb : witness;
    }

    /**
     * Takes the element at the head if it is ready. Consumer only.
     *
     * @return the element, or null if the queue is empty or the push at the head is still in
     *     progress
     */
    @SuppressWarnings("unchecked")
    public T relaxedPoll() {
        long h = head;
        Block b = headBlock;
        long start = h & ~(long) (blockSize - 1);
        while (b.start != start) {
            Block n = b.next; // acquire; pairs with the CAS in grow/recycle
            if (n == null) {
                return null;
            }
            b = n;
            HEAD_BLOCK.setRelease(this, b);
        }
        reclaim(b, h);
        int i = (int) (h & (blockSize - 1));
        if ((b.ready & (1L << i)) == 0) { // acquire; pairs with push's add
            return null;
        }
        Object v = SLOTS.get(b.slots, i);
        SLOTS.set(b.slots, i, null);
        HEAD.setRelease(this, h + 1); // release; for len() and readyAtHead() on other threads
        return (T) v;
    }

    /**
     * Takes the element at the head, waiting out an in-progress push (a producer that took the head
     * position but has not written its slot yet), so that null really means empty at the
     * linearization point. Consumer only.
     *
     * @return the element, or null if the queue is empty
     */
    public T poll() {
        for (int spins = 0; ; spins++) {
            T v = relaxedPoll();
            if (v != null || tailPosition == head) {
                return v;
            }
            Spin.backOff(spins, PUSH_WAIT_SPINS); // no budget: the push is already under way
        }
    }

    /**
     * Returns true if the head slot holds an element. Meaningful on a non-consumer thread only
     * while the consumer is parked (it read the consumer's state through a happens-before edge);
     * otherwise it may answer wrongly, never throws, and the caller must confirm by a CAS that the
     * consumer is still parked.
     *
     * @return whether {@link #relaxedPoll()} would return an element now
     */
    public boolean readyAtHead() {
        long h = head;
        Block b = headBlock;
        for (int k = 0; k < 3 && b != null; k++) {
            long s = b.start;
            if (h < s) {
                return false;
            }
            if (h < s + blockSize) {
                return (b.ready & (1L << (h & (blockSize - 1)))) != 0;
            }
            b = b.next;
        }
        return false;
    }

    /**
     * Returns the number of positions taken by producers and not yet consumed, including pushes in
     * progress. Any thread; for monitoring.
     *
     * @return the length, at least 0
     */
    public long len() {
        long h = head;
        long t = tailPosition;
        return Math.max(0L, t - h);
    }

    /** Recycles the blocks before {@code current} that no producer can reach any more. */
    private void reclaim(Block current, long h) {
        while (freeHead != current) {
            Block b = freeHead;
            long r = b.ready; // acquire; pairs with the release of RELEASED in findBlock
            if ((r & RELEASED) == 0 || b.observedTail > h) {
                return;
            }
            freeHead = b.next;
            recycle(b);
        }
    }

    /**
     * Appends a reclaimed block at the end of the chain, as a spare for producers. Unlike tokio
     * (three tries from the tail block, then the block is freed), the walk starts from the block
     * this consumer appended last when that one is still at or beyond the tail block, and a block
     * is only dropped when {@code maxSpareBlocks} spares already wait beyond the tail. Why: when a
     * bounded channel drains a full buffer while its producers are parked, the consumer recycles up
     * to {@code capacity / 32} blocks in a row; with three tries all but three were dropped and
     * re-allocated on the next fill (5.5 B/message at capacity 1024, 1 producer).
     *
     * <p>The hint is safe: it is only ever a block that was appended successfully and has not been
     * reclaimed since (reclaiming it clears the hint), so it is linked in the chain; starts grow
     * along the chain, so a hint whose {@code start} is at or beyond {@code tailBlock.start} is the
     * tail block or after it, and appending after any block reached from the tail is what the three
     * tries did too.
     */
    private void recycle(Block b) {
        if (lastRecycled == b) {
            lastRecycled = null; // a reclaimed block is never a hint (it may be dropped below)
        }
        b.next = null;
        b.ready = 0L;
        b.observedTail = 0L;
        Block tail = tailBlock; // acquire; pairs with the CAS that advances tailBlock
        Block cur = tail;
        Block hint = lastRecycled;
        if (hint != null && hint.start >= tail.start) {
            cur = hint;
        }
        long limit = tail.start + (long) maxSpareBlocks * blockSize;
        while (cur.start < limit) {
            b.start = cur.start + blockSize; // plain; published by the CAS below
            Block witness = (Block) NEXT.compareAndExchange(cur, null, b); // release
            if (witness == null) {
                lastRecycled = b;
                return;
            }
            cur = witness;
        }
        // Enough spares already: leave it to the garbage collector, as tokio frees it.
    }

    // VarHandle mechanics
    private static final VarHandle TAIL_POSITION;
    private static final VarHandle TAIL_BLOCK;
    private static final VarHandle HEAD;
    private static final VarHandle HEAD_BLOCK;
    private static final VarHandle NEXT;
    private static final VarHandle READY;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            Class<?> producer = MpscQueueLayout.ProducerFields.class;
            Class<?> consumer = MpscQueueLayout.ConsumerFields.class;
            TAIL_POSITION = l.findVarHandle(producer, "tailPosition", long.class);
            TAIL_BLOCK = l.findVarHandle(producer, "tailBlock", Block.class);
            HEAD = l.findVarHandle(consumer, "head", long.class);
            HEAD_BLOCK = l.findVarHandle(consumer, "headBlock", Block.class);
            NEXT = l.findVarHandle(Block.class, "next", Block.class);
            READY = l.findVarHandle(Block.class, "ready", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
