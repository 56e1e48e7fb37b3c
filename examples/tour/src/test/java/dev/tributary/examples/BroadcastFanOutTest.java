package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BroadcastFanOutTest {

    @Test
    void fastReceiversSeeEveryTickAndTheSlowOneLagsBySixThenRecovers() throws Exception {
        List<String> all =
                List.of(
                        "tick-0", "tick-1", "tick-2", "tick-3", "tick-4", "tick-5", "tick-6",
                        "tick-7", "tick-8", "tick-9");
        for (int round = 0; round < 20; round++) {
            BroadcastFanOut.Result r = BroadcastFanOut.run(Narrator.quiet());

            assertEquals(all, r.fastA(), "round " + round);
            assertEquals(all, r.fastB(), "round " + round);
            assertEquals(6, r.slowMissed(), "10 sent, 4 retained");
            assertEquals(all.subList(6, 10), r.slowReceived(), "round " + round);
            assertTrue(r.succeeded());
        }
    }

    @Test
    void theNarrativeReportsTheExactMissedCount() throws Exception {
        Narrator out = Narrator.quiet();
        BroadcastFanOut.run(out);

        assertTrue(
                out.lines().stream().anyMatch(l -> l.contains("LaggedException: missed 6")),
                out.lines().toString());
    }
}
