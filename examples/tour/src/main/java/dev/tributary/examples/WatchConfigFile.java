package dev.tributary.examples;

import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Watch;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * watch: configuration changes. A task checks a configuration file every 10 ms; when its contents
 * change it parses them and stores the new {@link Config} in a watch channel. Two workers wait on
 * the channel, and each change wakes both; a worker reads the latest value, never a backlog.
 *
 * <p>The file is a real temporary file, rewritten atomically (write a sibling, then move it over)
 * so the checker never reads half a file. To keep the narrative exact, each worker reports what it
 * applied and the file is changed again only once both have.
 */
public final class WatchConfigFile {
    /** How often the file is checked, in milliseconds. */
    static final long PERIOD_MS = 10;

    /** The names of the workers. */
    static final List<String> WORKERS = List.of("http", "cache");

    private WatchConfigFile() {}

    /**
     * A parsed configuration.
     *
     * @param greeting the greeting the service answers with
     * @param poolSize how many connections to keep
     */
    public record Config(String greeting, int poolSize) {
        /**
         * Parses {@code greeting=...} and {@code poolSize=...} lines.
         *
         * @param text the file's contents
         * @return the configuration
         * @throws IllegalArgumentException if a key is missing or {@code poolSize} is not a
         *     positive integer
         */
        public static Config parse(String text) {
            Properties p = new Properties();
            try {
                p.load(new StringReader(text));
            } catch (IOException e) {
                throw new IllegalArgumentException("unreadable configuration: " + e, e);
            }
            String greeting = p.getProperty("greeting");
            String pool = p.getProperty("poolSize");
            if (greeting == null || pool == null) {
                throw new IllegalArgumentException(
                        "greeting and poolSize required but the file has "
                                + p.stringPropertyNames());
            }
            int poolSize;
            try {
                poolSize = Integer.parseInt(pool.trim());
            } catch (NumberFormatException e) {
                poolSize = 0;
            }
            if (poolSize < 1) {
                throw new IllegalArgumentException(
                        "poolSize > 0 required but it was \"" + pool + "\"");
            }
            return new Config(greeting.trim(), poolSize);
        }

        /**
         * Formats this configuration as the file holds it.
         *
         * @return {@code greeting=...} and {@code poolSize=...} lines
         */
        public String toFileText() {
            return "greeting=" + greeting + "\npoolSize=" + poolSize + "\n";
        }
    }

    /**
     * What the example observed.
     *
     * @param initial the configuration the file held at the start
     * @param changes the configurations written to the file afterwards, in order
     * @param appliedBy per worker, the configurations it applied after the initial one, in order
     */
    public record Result(Config initial, List<Config> changes, Map<String, List<Config>> appliedBy)
            implements Outcome {
        @Override
        public boolean succeeded() {
            return appliedBy.keySet().equals(new HashSet<>(WORKERS))
                    && appliedBy.values().stream().allMatch(changes::equals);
        }
    }

    /** A worker's report: it applied {@code config}. */
    private record Applied(String worker, Config config) {}

    /**
     * Runs the example.
     *
     * @param out where to tell what happens
     * @return what was observed
     * @throws Exception if the example itself broke (for instance the file could not be written)
     */
    public static Result run(Narrator out) throws Exception {
        Config initial = new Config("hello", 2);
        List<Config> changes = List.of(new Config("bonjour", 2), new Config("bonjour", 8));
        Path file = Files.createTempFile("tributary-tour-", ".properties");
        ScheduledExecutorService checker =
                Executors.newSingleThreadScheduledExecutor(Tasks.daemonThreads("watch-checker"));
        try (Tasks tasks = new Tasks("watch")) {
            writeAtomically(file, initial.toFileText());
            Watch.Channel<Config> config = Watch.channel(Config.parse(Files.readString(file)));
            Watch.Sender<Config> tx = config.sender();
            checker.scheduleWithFixedDelay(
                    new FileCheck(file, Files.readString(file), tx),
                    PERIOD_MS,
                    PERIOD_MS,
                    TimeUnit.MILLISECONDS);
            out.say(
                    "a task checks a temporary config file every %d ms; workers start with %s",
                    PERIOD_MS, initial);

            Mpsc.Channel<Applied> reports = Mpsc.channel(WORKERS.size());
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (String name : WORKERS) {
                Watch.Receiver<Config> rx = workers.isEmpty() ? config.receiver() : tx.subscribe();
                Mpsc.Sender<Applied> report = reports.sender().clone();
                workers.add(tasks.run(() -> work(name, rx, report)));
            }
            reports.sender().close();

            Map<String, List<Config>> appliedBy = new LinkedHashMap<>();
            for (Config next : changes) {
                writeAtomically(file, next.toFileText());
                out.say("the file now says %s", next.toFileText().trim().replace('\n', ' '));
                List<Applied> round = new ArrayList<>();
                for (int i = 0; i < WORKERS.size(); i++) {
                    round.add(reports.receiver().blockingRecv());
                }
                round.sort(Comparator.comparing(Applied::worker));
                for (Applied a : round) {
                    appliedBy.computeIfAbsent(a.worker(), k -> new ArrayList<>()).add(a.config());
                }
                out.say(
                        "the checker saw the change and sent it; %s",
                        String.join(
                                ", ",
                                round.stream()
                                        .map(a -> a.worker() + " applied " + a.config())
                                        .toList()));
            }
            checker.shutdownNow();
            checker.awaitTermination(Tasks.PATIENCE_SECONDS, TimeUnit.SECONDS);
            tx.close(); // the only sender: each worker's next wait fails with ClosedException
            for (CompletableFuture<Void> w : workers) {
                Tasks.await(w);
            }
            out.say(
                    "the checker stopped and closed the sender; both workers saw the channel close");
            return new Result(initial, changes, appliedBy);
        } finally {
            checker.shutdownNow();
            Files.deleteIfExists(file);
        }
    }

    /** A worker: applies each new configuration until the channel closes. */
    private static void work(String name, Watch.Receiver<Config> rx, Mpsc.Sender<Applied> report)
            throws InterruptedException {
        try (rx;
                report) {
            for (; ; ) {
                try {
                    rx.blockingChanged();
                } catch (ClosedException e) {
                    return; // the checker is gone
                }
                Config latest = rx.borrowAndUpdate().get();
                report.blockingSend(new Applied(name, latest));
            }
        }
    }

    /** One check of the file: sends a parsed configuration when the text changed. */
    private static final class FileCheck implements Runnable {
        private final Path file;
        private final Watch.Sender<Config> tx;
        private String lastText;

        FileCheck(Path file, String text, Watch.Sender<Config> tx) {
            this.file = file;
            this.lastText = text;
            this.tx = tx;
        }

        @Override
        public void run() {
            try {
                String text = Files.readString(file);
                if (!text.equals(lastText)) {
                    lastText = text;
                    tx.send(Config.parse(text));
                }
            } catch (IOException | IllegalArgumentException e) {
                // A missing or malformed file keeps the last good configuration.
            }
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, text, StandardCharsets.UTF_8);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
