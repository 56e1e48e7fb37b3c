package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class NotifyJobsTest {

    @Test
    void theWorkerHandlesEveryJobInOrderAndNoNotificationIsLost() throws Exception {
        List<String> all =
                List.of(
                        "resize photo-1",
                        "resize photo-2",
                        "index doc-7",
                        "send mail-3",
                        "purge cache");
        for (int round = 0; round < 50; round++) {
            NotifyJobs.Result r = NotifyJobs.run(Narrator.quiet());

            assertEquals(all, r.handled(), "round " + round);
            assertTrue(r.succeeded());
        }
    }
}
