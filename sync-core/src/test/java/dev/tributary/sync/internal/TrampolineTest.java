package dev.tributary.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@link Trampoline}: bounded nesting, same-thread execution, FIFO order of deferred tasks. */
@Timeout(30)
class TrampolineTest {

    /**
     * A task that, when run, submits the next one: a chain a naive implementation would recurse
     * through.
     */
    private static final class Chain extends Trampoline.Task {
        final int index;
        final int length;
        final int[] maxDepth;
        final List<Integer> order;
        final Thread expected;

        Chain(int index, int length, int[] maxDepth, List<Integer> order, Thread expected) {
            this.index = index;
            this.length = length;
            this.maxDepth = maxDepth;
            this.order = order;
            this.expected = expected;
        }

        @Override
        protected void runTask() {
            assertSame(expected, Thread.currentThread());
            maxDepth[0] = Math.max(maxDepth[0], Trampoline.depth());
            order.add(index);
            if (index + 1 < length) {
                Trampoline.run(new Chain(index + 1, length, maxDepth, order, expected));
            }
        }
    }

    @Test
    void longChainRunsWithBoundedDepthInOrder() {
        int length = 1_000_000;
        int[] maxDepth = {0};
        List<Integer> order = new ArrayList<>(length);
        Trampoline.run(new Chain(0, length, maxDepth, order, Thread.currentThread()));
        assertEquals(length, order.size());
        for (int i = 0; i < length; i++) {
            assertEquals(i, order.get(i));
        }
        assertTrue(maxDepth[0] <= Trampoline.MAX_DEPTH, "depth " + maxDepth[0]);
        assertEquals(0, Trampoline.depth(), "all frames unwound");
    }

    @Test
    void shallowTasksRunInline() {
        List<String> log = new ArrayList<>();
        Trampoline.run(
                new Trampoline.Task() {
                    @Override
                    protected void runTask() {
                        log.add("outer");
                        Trampoline.run(
                                new Trampoline.Task() {
                                    @Override
                                    protected void runTask() {
                                        log.add("inner");
                                    }
                                });
                        log.add("after inner");
                    }
                });
        assertEquals(
                List.of("outer", "inner", "after inner"),
                log,
                "below MAX_DEPTH nothing is deferred");
    }

    @Test
    void futureChainsThroughTheTrampolineDoNotOverflow() {
        // Each completion registers the next future's completion as a dependent, 200,000 deep.
        int length = 200_000;
        int[] count = {0};
        List<CompletableFuture<Integer>> futures = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            futures.add(new CompletableFuture<>());
        }
        for (int i = 0; i < length - 1; i++) {
            CompletableFuture<Integer> next = futures.get(i + 1);
            int value = i + 1;
            futures.get(i)
                    .thenRun(
                            () -> {
                                count[0]++;
                                Trampoline.run(
                                        new Trampoline.Task() {
                                            @Override
                                            protected void runTask() {
                                                next.complete(value);
                                            }
                                        });
                            });
        }
        futures.get(0).complete(0);
        assertEquals(length - 1, count[0]);
        assertEquals(length - 1, futures.get(length - 1).join());
    }
}
