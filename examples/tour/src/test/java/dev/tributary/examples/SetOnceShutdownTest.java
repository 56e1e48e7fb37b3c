package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SetOnceShutdownTest {

    @Test
    void everyWorkerStopsForTheFirstReasonAndTheSecondIsRefused() throws Exception {
        for (int round = 0; round < 10; round++) {
            SetOnceShutdown.Result r = SetOnceShutdown.run(Narrator.quiet());

            String first = "SIGTERM from the orchestrator";
            assertEquals(List.of(first, first, first), r.reasonsSeen());
            assertEquals("health check failed", r.rejected());
            assertEquals(first, r.lateWorkerReason());
            assertTrue(r.succeeded());
        }
    }
}
