package dev.tributary.examples;

import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Mutex: four tellers post transfers to one shared ledger. The ledger is a plain, unsynchronized
 * object (balances and a journal) that must change as a whole: check the balance, debit, credit,
 * record. The {@link Mutex} owns it, so only the holder of the guard can reach it; an audit at the
 * end locks it asynchronously with {@link Mutex#withLock}.
 */
public final class MutexLedger {
    /** How many tellers post at once. */
    static final int TELLERS = 4;

    /** How many transfers each teller attempts. */
    static final int TRANSFERS_PER_TELLER = 250;

    /** The opening balance of each account. */
    static final long OPENING = 1_000;

    /** The accounts. */
    static final List<String> ACCOUNTS = List.of("alice", "bob", "carol");

    private MutexLedger() {}

    /** The shared state: not thread-safe by itself. */
    static final class Ledger {
        final Map<String, Long> balances = new LinkedHashMap<>();
        final List<String> journal = new ArrayList<>();
        int refused;

        Ledger() {
            for (String a : ACCOUNTS) {
                balances.put(a, OPENING);
            }
        }

        void transfer(String from, String to, long amount) {
            long available = balances.get(from);
            if (available < amount) {
                refused++;
                return;
            }
            balances.put(from, available - amount);
            balances.put(to, balances.get(to) + amount);
            journal.add(from + " -> " + to + ": " + amount);
        }

        long total() {
            return balances.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * What the example observed.
     *
     * @param totalAfter the sum of all balances after every transfer
     * @param posted how many transfers were posted (in the journal)
     * @param refused how many were refused for insufficient funds
     * @param lowestBalance the lowest balance at the end
     */
    public record Result(long totalAfter, int posted, int refused, long lowestBalance)
            implements Outcome {
        @Override
        public boolean succeeded() {
            return totalAfter == OPENING * ACCOUNTS.size()
                    && posted + refused == TELLERS * TRANSFERS_PER_TELLER
                    && lowestBalance >= 0;
        }
    }

    /**
     * Runs the example.
     *
     * @param out where to tell what happens
     * @return what was observed
     * @throws Exception if the example itself broke
     */
    public static Result run(Narrator out) throws Exception {
        try (Tasks tasks = new Tasks("mutex")) {
            Mutex<Ledger> ledger = new Mutex<>(new Ledger());
            List<CompletableFuture<Void>> tellers = new ArrayList<>();
            for (int t = 0; t < TELLERS; t++) {
                Random random = new Random(t); // a fixed sequence of transfers per teller
                tellers.add(
                        tasks.run(
                                () -> {
                                    for (int i = 0; i < TRANSFERS_PER_TELLER; i++) {
                                        int n = ACCOUNTS.size();
                                        int from = random.nextInt(n);
                                        int to = (from + 1 + random.nextInt(n - 1)) % n;
                                        long amount = 1 + random.nextInt(200);
                                        try (MutexGuard<Ledger> g = ledger.blockingLock()) {
                                            g.get()
                                                    .transfer(
                                                            ACCOUNTS.get(from),
                                                            ACCOUNTS.get(to),
                                                            amount);
                                        } // released here, the next teller in line gets it
                                    }
                                }));
            }
            out.say(
                    "%d tellers post %d transfers each to one ledger (%s, %,d each) behind a Mutex",
                    TELLERS, TRANSFERS_PER_TELLER, String.join(", ", ACCOUNTS), OPENING);
            for (CompletableFuture<Void> t : tellers) {
                Tasks.await(t);
            }
            Result result =
                    Tasks.await(
                            ledger.withLock(
                                    g -> {
                                        Ledger l = g.get();
                                        long lowest =
                                                l.balances.values().stream()
                                                        .mapToLong(Long::longValue)
                                                        .min()
                                                        .orElse(0);
                                        return CompletableFuture.completedFuture(
                                                new Result(
                                                        l.total(),
                                                        l.journal.size(),
                                                        l.refused,
                                                        lowest));
                                    }));
            out.say(
                    "the audit (withLock, async) finds %d posted + %d refused for lack of funds",
                    result.posted(), result.refused());
            out.say(
                    "money is conserved: total %,d (opened with %,d); lowest balance %,d",
                    result.totalAfter(), OPENING * ACCOUNTS.size(), result.lowestBalance());
            return result;
        }
    }
}
