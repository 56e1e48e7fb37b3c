package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BarrierPhasesTest {

    @Test
    void noWorkerStartsAPhaseBeforeAllFinishedTheLastAndEachGenerationHasOneLeader()
            throws Exception {
        for (int round = 0; round < 10; round++) {
            BarrierPhases.Result r = BarrierPhases.run(Narrator.quiet());

            assertEquals(List.of(3, 3, 3), r.shardsLoadedAtPhase2(), "round " + round);
            assertEquals(List.of(3, 3, 3), r.queriesAnsweredAtEnd(), "round " + round);
            assertEquals(1, r.leadersPhase1());
            assertEquals(1, r.leadersPhase2());
            assertTrue(r.succeeded());
        }
    }
}
