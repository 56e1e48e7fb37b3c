package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ClosedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class OneshotComputationTest {

    @Test
    void theWaitingTaskReceivesTheComputedValueThroughTheOneshotAndThroughTheTasksFuture()
            throws Exception {
        long n = 1000;
        long expected = n * (n + 1) * (2 * n + 1) / 6; // closed form of 1^2 + ... + n^2

        OneshotComputation.Result r = OneshotComputation.run(Narrator.quiet());

        assertEquals(expected, r.viaOneshot());
        assertEquals(expected, r.viaFuture());
        assertTrue(r.succeeded());
    }

    @Test
    void aThrowingTaskFailsItsFutureAndAClosedSenderFailsTheReceiver() throws Exception {
        OneshotComputation.Result r = OneshotComputation.run(Narrator.quiet());

        assertInstanceOf(ArithmeticException.class, r.failure());
        assertInstanceOf(ClosedException.class, r.closedWithoutValue());
    }

    @Test
    void theNarrativeNamesTheValueReceived() throws Exception {
        Narrator out = Narrator.quiet();
        OneshotComputation.run(out);

        assertTrue(
                out.lines().stream()
                        .anyMatch(l -> l.contains("main received it") && l.contains("333,833,500")),
                out.lines().toString());
    }
}
