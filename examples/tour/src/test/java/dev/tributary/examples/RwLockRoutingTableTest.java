package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RwLockRoutingTableTest {

    @Test
    void readersShareTheLockTheWriterWaitsForThemAndNewReadersQueueBehindIt() throws Exception {
        for (int round = 0; round < 10; round++) {
            RwLockRoutingTable.Result r = RwLockRoutingTable.run(Narrator.quiet());

            assertEquals(3, r.readersInside());
            assertTrue(r.writerWaitedForReaders());
            assertTrue(r.lateReaderQueued());
            assertEquals(List.of("backend-a", "backend-a", "backend-a"), r.routeBefore());
            assertEquals(List.of("backend-b", "backend-b", "backend-b"), r.routeAfter());
            assertTrue(r.succeeded());
        }
    }
}
