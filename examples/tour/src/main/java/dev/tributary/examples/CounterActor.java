package dev.tributary.examples;

import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Oneshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * mpsc + oneshot: a task owns a counter and serves commands from an mpsc channel; each command
 * carries a oneshot sender for its answer. Ten client tasks each send "fetch and increment" ten
 * times and wait for the old value. No lock guards the counter: only the actor touches it, so the
 * values 0..99 are each handed out exactly once.
 */
public final class CounterActor {
    /** How many client tasks. */
    static final int CLIENTS = 10;

    /** How many requests each client makes. */
    static final int REQUESTS_PER_CLIENT = 10;

    private CounterActor() {}

    /**
     * The actor's one command: return the counter's value, then add one to it.
     *
     * @param reply where the value before the increment goes
     */
    record FetchAndIncrement(Oneshot.Sender<Long> reply) {}

    /**
     * What the example observed.
     *
     * @param handedOut every value the clients received, sorted
     * @param finalCount the counter's value when the actor stopped
     */
    public record Result(List<Long> handedOut, long finalCount) implements Outcome {
        /**
         * Returns whether the values handed out are exactly 0..n-1, each once.
         *
         * @return true if no value was skipped or handed out twice
         */
        public boolean eachValueOnce() {
            long n = (long) CLIENTS * REQUESTS_PER_CLIENT;
            if (handedOut.size() != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (handedOut.get(i) != i) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean succeeded() {
            return eachValueOnce() && finalCount == (long) CLIENTS * REQUESTS_PER_CLIENT;
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
        try (Tasks tasks = new Tasks("counter")) {
            Mpsc.Channel<FetchAndIncrement> commands = Mpsc.channel(32);
            Mpsc.Receiver<FetchAndIncrement> inbox = commands.receiver();
            CompletableFuture<Long> actor =
                    tasks.spawn(
                            () -> {
                                long counter = 0; // owned by this task alone
                                for (FetchAndIncrement c; (c = inbox.blockingRecv()) != null; ) {
                                    c.reply().send(counter);
                                    counter++;
                                }
                                return counter; // every client closed its sender
                            });
            out.say("an actor task owns the counter; commands reach it through an mpsc channel");

            List<CompletableFuture<List<Long>>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Mpsc.Sender<FetchAndIncrement> tx = commands.sender().clone();
                clients.add(
                        tasks.spawn(
                                () -> {
                                    List<Long> mine = new ArrayList<>();
                                    try (tx) {
                                        for (int k = 0; k < REQUESTS_PER_CLIENT; k++) {
                                            Oneshot.Channel<Long> reply = Oneshot.channel();
                                            tx.blockingSend(new FetchAndIncrement(reply.sender()));
                                            mine.add(reply.receiver().blockingRecv());
                                        }
                                    }
                                    return mine;
                                }));
            }
            commands.sender().close();
            out.say(
                    "%d clients each send %d \"fetch and increment\" commands, each with a oneshot for the old value",
                    CLIENTS, REQUESTS_PER_CLIENT);

            List<Long> all = new ArrayList<>();
            boolean eachClientAscending = true;
            for (CompletableFuture<List<Long>> c : clients) {
                List<Long> mine = Tasks.await(c);
                List<Long> sorted = new ArrayList<>(mine);
                Collections.sort(sorted);
                eachClientAscending &= sorted.equals(mine);
                all.addAll(mine);
            }
            long finalCount = Tasks.await(actor);
            Collections.sort(all);
            Result result = new Result(List.copyOf(all), finalCount);
            out.say(
                    "the clients got %d values, %d..%d, each exactly once: %s",
                    all.size(),
                    all.isEmpty() ? -1 : all.get(0),
                    all.isEmpty() ? -1 : all.get(all.size() - 1),
                    result.eachValueOnce());
            out.say(
                    "each client's own values rose: %s; the actor stopped at %d when every sender had closed",
                    eachClientAscending, finalCount);
            return result;
        }
    }
}
