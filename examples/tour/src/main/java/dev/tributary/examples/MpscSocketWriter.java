package dev.tributary.examples;

import dev.tributary.sync.Mpsc;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * mpsc: many tasks send data over a single TCP socket. A socket must not be written by several
 * threads at once, so one writer task owns it and the others hand it their data through a channel
 * of capacity 100; the writer ends when every sender has closed. The example starts its own server
 * on 127.0.0.1 (an ephemeral port), which checks that it received every message.
 */
public final class MpscSocketWriter {
    /** How many tasks send. */
    static final int TASKS = 10;

    /** How many messages each task sends. */
    static final int MESSAGES_PER_TASK = 20;

    /** The channel's capacity. */
    static final int CAPACITY = 100;

    private MpscSocketWriter() {}

    /**
     * What the example observed.
     *
     * @param sent how many messages the tasks sent
     * @param written how many the writer task wrote to the socket
     * @param received the lines the server read, in arrival order
     */
    public record Result(int sent, int written, List<String> received) implements Outcome {
        /**
         * Returns whether the server received every message sent, each exactly once.
         *
         * @return true if nothing was lost or duplicated
         */
        public boolean everyMessageOnce() {
            return received.size() == TASKS * MESSAGES_PER_TASK
                    && new HashSet<>(received).equals(new HashSet<>(allMessages()));
        }

        /**
         * Returns whether each task's messages arrived in the order that task sent them.
         *
         * @return true if every task's order was kept
         */
        public boolean perTaskOrderKept() {
            Map<String, Integer> next = new HashMap<>();
            for (String line : received) {
                String task = line.substring(0, line.indexOf(':'));
                int k = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
                if (next.getOrDefault(task, 0) != k) {
                    return false;
                }
                next.put(task, k + 1);
            }
            return true;
        }

        @Override
        public boolean succeeded() {
            return sent == TASKS * MESSAGES_PER_TASK
                    && written == sent
                    && everyMessageOnce()
                    && perTaskOrderKept();
        }
    }

    /**
     * Every message the tasks send: {@code "task-T: data to write K"}.
     *
     * @return the messages, task by task
     */
    public static List<String> allMessages() {
        List<String> all = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            for (int k = 0; k < MESSAGES_PER_TASK; k++) {
                all.add(message(t, k));
            }
        }
        return all;
    }

    private static String message(int task, int k) {
        return "task-" + task + ": data to write " + k;
    }

    /**
     * Runs the example.
     *
     * @param out where to tell what happens
     * @return what was observed
     * @throws Exception if the example itself broke (for instance the socket could not be opened)
     */
    public static Result run(Narrator out) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (Tasks tasks = new Tasks("mpsc-socket");
                ServerSocket server = new ServerSocket(0, 1, loopback)) {
            CompletableFuture<List<String>> serverSide = tasks.spawn(() -> readAll(server));
            out.say("a server listens on 127.0.0.1:<ephemeral port>");

            Socket socket = new Socket(loopback, server.getLocalPort());
            Mpsc.Channel<String> channel = Mpsc.channel(CAPACITY);
            Mpsc.Receiver<String> rx = channel.receiver();
            CompletableFuture<Integer> writer =
                    tasks.spawn(
                            () -> {
                                int written = 0;
                                try (socket;
                                        Writer w =
                                                new BufferedWriter(
                                                        new OutputStreamWriter(
                                                                socket.getOutputStream(),
                                                                StandardCharsets.UTF_8))) {
                                    for (String m; (m = rx.blockingRecv()) != null; ) {
                                        w.write(m);
                                        w.write('\n');
                                        written++;
                                    }
                                } // every sender closed: flush, close the socket
                                return written;
                            });

            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < TASKS; t++) {
                int task = t;
                Mpsc.Sender<String> tx = channel.sender().clone(); // each task its own handle
                senders.add(
                        tasks.run(
                                () -> {
                                    try (tx) {
                                        for (int k = 0; k < MESSAGES_PER_TASK; k++) {
                                            tx.blockingSend(message(task, k));
                                        }
                                    }
                                }));
            }
            // Close main's own handle: the writer sees the end only once every clone is closed.
            channel.sender().close();
            out.say(
                    "%d tasks each send %d messages into one channel (capacity %d); one writer task owns the socket",
                    TASKS, MESSAGES_PER_TASK, CAPACITY);
            for (CompletableFuture<Void> s : senders) {
                Tasks.await(s);
            }
            int written = Tasks.await(writer);
            List<String> received = Tasks.await(serverSide);
            Result result = new Result(TASKS * MESSAGES_PER_TASK, written, received);
            out.say(
                    "the writer wrote %d lines, then saw end of stream and closed the socket",
                    written);
            out.say(
                    "the server read %d lines: every message exactly once: %s, each task's order kept: %s",
                    received.size(), result.everyMessageOnce(), result.perTaskOrderKept());
            return result;
        }
    }

    private static List<String> readAll(ServerSocket server) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Socket s = server.accept();
                BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(
                                        s.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
        }
        return lines;
    }
}
