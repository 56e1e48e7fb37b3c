package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MutexLedgerTest {

    @Test
    void everyTransferIsPostedOrRefusedAndMoneyIsConserved() throws Exception {
        for (int round = 0; round < 5; round++) {
            MutexLedger.Result r = MutexLedger.run(Narrator.quiet());

            assertEquals(3_000, r.totalAfter(), "round " + round);
            assertEquals(1_000, r.posted() + r.refused(), "round " + round);
            assertTrue(r.lowestBalance() >= 0, "lowest " + r.lowestBalance());
            assertTrue(r.succeeded());
        }
    }

    @Test
    void theLedgerRefusesATransferLargerThanTheBalance() {
        MutexLedger.Ledger ledger = new MutexLedger.Ledger();

        ledger.transfer("alice", "bob", 1_001);
        ledger.transfer("alice", "bob", 400);

        assertEquals(1, ledger.refused);
        assertEquals(600, ledger.balances.get("alice"));
        assertEquals(1_400, ledger.balances.get("bob"));
        assertEquals(1, ledger.journal.size());
    }
}
