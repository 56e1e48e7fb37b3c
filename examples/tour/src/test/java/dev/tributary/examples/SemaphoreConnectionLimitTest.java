package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SemaphoreConnectionLimitTest {

    @Test
    void everyQueryIsAnsweredWithAtMostThreeConnectionsOpenAndThePermitsComeBack()
            throws Exception {
        List<String> rows = new ArrayList<>();
        for (int q = 0; q < 10; q++) {
            rows.add("row " + q);
        }
        for (int round = 0; round < 10; round++) {
            SemaphoreConnectionLimit.Result r = SemaphoreConnectionLimit.run(Narrator.quiet());

            assertEquals(rows, r.answers());
            assertEquals(3, r.peakOpen(), "the limit, reached and never exceeded");
            assertEquals(3, r.permitsAfter());
            assertTrue(r.succeeded());
        }
    }
}
