package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MpscSocketWriterTest {

    @Test
    void theServerReceivesEveryMessageOfEveryTaskExactlyOnce() throws Exception {
        for (int round = 0; round < 5; round++) {
            MpscSocketWriter.Result r = MpscSocketWriter.run(Narrator.quiet());

            assertEquals(200, r.sent());
            assertEquals(200, r.written());
            List<String> got = new ArrayList<>(r.received());
            List<String> expected = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                for (int k = 0; k < 20; k++) {
                    expected.add("task-" + t + ": data to write " + k);
                }
            }
            Collections.sort(got);
            Collections.sort(expected);
            assertEquals(expected, got, "round " + round);
            assertTrue(r.perTaskOrderKept(), "round " + round);
            assertTrue(r.succeeded());
        }
    }

    @Test
    void theChecksNoticeALostADuplicatedAndAReorderedMessage() {
        List<String> all = MpscSocketWriter.allMessages();
        List<String> lost = new ArrayList<>(all.subList(1, all.size()));
        List<String> duplicated = new ArrayList<>(lost);
        duplicated.add(all.get(1));
        List<String> reordered = new ArrayList<>(all);
        Collections.swap(reordered, 0, 1);

        assertTrue(new MpscSocketWriter.Result(200, 200, all).succeeded());
        assertTrue(!new MpscSocketWriter.Result(200, 199, lost).everyMessageOnce());
        assertTrue(!new MpscSocketWriter.Result(200, 200, duplicated).everyMessageOnce());
        assertTrue(!new MpscSocketWriter.Result(200, 200, reordered).perTaskOrderKept());
    }
}
