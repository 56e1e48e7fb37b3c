package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CounterActorTest {

    @Test
    void theValues0To99AreEachHandedOutExactlyOnce() throws Exception {
        List<Long> expected = LongStream.range(0, 100).boxed().toList();
        for (int round = 0; round < 10; round++) {
            CounterActor.Result r = CounterActor.run(Narrator.quiet());

            assertEquals(expected, r.handedOut(), "round " + round);
            assertEquals(100, r.finalCount());
            assertTrue(r.succeeded());
        }
    }

    @Test
    void theCheckNoticesADuplicatedValue() {
        List<Long> twice = new ArrayList<>(LongStream.range(0, 100).boxed().toList());
        twice.set(1, 0L);

        assertFalse(new CounterActor.Result(twice, 100).eachValueOnce());
    }
}
