package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class OnceCellCacheTest {

    @Test
    void theLoaderRunsOnceAndEveryCallerGetsTheSameTable() throws Exception {
        for (int round = 0; round < 5; round++) {
            OnceCellCache.Result r = OnceCellCache.run(Narrator.quiet());

            assertEquals(1, r.loads(), "round " + round);
            assertTrue(r.sameInstance());
            assertEquals(6, r.callers());
            assertTrue(r.laterCallerImmediate());
            assertTrue(r.succeeded());
        }
    }
}
