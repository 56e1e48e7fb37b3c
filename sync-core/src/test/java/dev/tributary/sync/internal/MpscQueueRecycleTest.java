package dev.tributary.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Block recycling of {@link MpscQueue}: a bounded channel that fills and drains its whole buffer in
 * bursts (what a blocking producer and a parking consumer do) must reuse its blocks. Tokio's rule
 * (three tries to append after the tail block, else free the block) dropped all but three of the
 * blocks drained in one burst; see {@code MpscQueue.recycle}.
 */
class MpscQueueRecycleTest {

    @Test
    void burstsOfAWholeBufferReuseTheBlocks() throws Exception {
        ThreadAllocation allocated = ThreadAllocation.orSkip();
        int capacity = 1024;
        MpscQueue<String> q = MpscQueue.forCapacity(capacity);
        String msg = "m";
        for (int round = 0; round < 2_000; round++) { // warm up, so that the JIT compiles the path
            burst(q, msg, capacity);
        }
        long before = allocated.bytes();
        for (int round = 0; round < 1_000; round++) {
            burst(q, msg, capacity);
        }
        long bytes = allocated.bytes() - before;
        // With tokio's three tries: 29 new blocks (~5.5 KB) per burst, ~5.5 MB here.
        assertTrue(bytes < 200_000, "allocated " + bytes + " bytes for 1,024,000 messages");
    }

    private static void burst(MpscQueue<String> q, String msg, int n) {
        for (int i = 0; i < n; i++) {
            q.push(msg);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(msg, q.relaxedPoll());
        }
        assertNull(q.relaxedPoll());
    }

    @Test
    void keepsOrderWhenSparesAreCappedAndDropped() {
        MpscQueue<Integer> q = new MpscQueue<>(1, 1); // two-slot blocks, one spare
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 200; round++) {
            int n = 1 + (round * 7) % 23;
            for (int i = 0; i < n; i++) {
                q.push(next++);
            }
            int take = round % 3 == 0 ? n : n / 2;
            for (int i = 0; i < take; i++) {
                assertEquals(expected++, q.relaxedPoll());
            }
            assertEquals(next - expected, q.len());
        }
        for (Integer v; (v = q.relaxedPoll()) != null; ) {
            assertEquals(expected++, v);
        }
        assertEquals(next, expected);
    }

    @Test
    void rejectsNoSpareBlocks() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new MpscQueue<>(5, 0));
        assertEquals("maxSpareBlocks must be at least 1 but was 0", e.getMessage());
    }
}
