package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MpscStreamingTest {

    @Test
    void everyResultArrivesOnceInTheOrderComputedAndNeverMoreThanTheCapacityIsQueued()
            throws Exception {
        List<Long> factorials =
                List.of(
                        1L,
                        2L,
                        6L,
                        24L,
                        120L,
                        720L,
                        5040L,
                        40320L,
                        362880L,
                        3628800L,
                        39916800L,
                        479001600L);
        for (int round = 0; round < 20; round++) {
            MpscStreaming.Result r = MpscStreaming.run(Narrator.quiet());

            assertEquals(factorials, r.received(), "round " + round);
            assertTrue(r.maxQueued() <= MpscStreaming.CAPACITY, "queued " + r.maxQueued());
            assertTrue(r.succeeded());
        }
    }
}
