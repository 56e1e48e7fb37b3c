package dev.tributary.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the short benchmark profile and writes the results page: every line of every {@code
 * benchmarks/profile/*.profile} file is one JMH run with {@code -prof gc} and JSON output into
 * {@code benchmarks/target/jmh/}; then {@link Report} turns those files into {@code
 * docs/benchmarks.md} and {@code docs/benchmarks-ratios.svg}. Each line's forks and iterations come
 * from the line ({@link ProfileLine.Settings}), not from the benchmark class.
 *
 * <p>Options: {@code --dry-run} lists the runs, their combination counts and settings, and the
 * estimated duration, without running; {@code --only REGEX} keeps the lines whose text matches;
 * {@code --profiles DIR}, {@code --out DIR}, {@code --docs DIR} move the folders. Run from the
 * repository root.
 */
public final class RunProfile {

    /** The documented command that builds the module, runs the profile and writes the page. */
    public static final String COMMAND =
            "./mvnw -B -q -pl benchmarks -am package -DskipTests"
                    + " && java -cp benchmarks/target/benchmarks.jar"
                    + " dev.tributary.bench.report.RunProfile";

    private RunProfile() {}

    /**
     * Runs the profile.
     *
     * @param args options, see the class javadoc
     * @throws Exception if a file cannot be read or written, or JMH fails to start
     */
    public static void main(String[] args) throws Exception {
        Path profiles = Path.of("benchmarks/profile");
        Path out = Path.of("benchmarks/target/jmh");
        Path docs = Path.of("docs");
        boolean dryRun = false;
        Pattern only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--profiles" -> profiles = Path.of(Report.value(args, ++i, "--profiles"));
                case "--out" -> out = Path.of(Report.value(args, ++i, "--out"));
                case "--docs" -> docs = Path.of(Report.value(args, ++i, "--docs"));
                case "--only" -> only = Pattern.compile(Report.value(args, ++i, "--only"));
                case "--dry-run" -> dryRun = true;
                default ->
                        throw new IllegalArgumentException(
                                "unknown option "
                                        + args[i]
                                        + "; expected --dry-run, --only, --profiles, --out or --docs");
            }
        }
        List<ProfileLine> lines = readProfiles(profiles, only);
        BenchmarkList list = BenchmarkList.defaultList();
        int total = 0;
        int targetCombinations = 0;
        long seconds = 0;
        for (ProfileLine l : lines) {
            int n = 0;
            for (BenchmarkListEntry e : benchmarks(l, list)) {
                n += l.combinations(e.getParams().orElse(Map.of()));
            }
            total += n;
            if (l.checksTargets()) {
                targetCombinations += n;
            }
            seconds += (long) n * l.settings().secondsPerCombination();
            System.out.printf(
                    Locale.ROOT,
                    "%4d  %-28s  %s%n",
                    n,
                    l.settings().describe(),
                    l.source() + "  " + l.include());
        }
        System.out.printf(
                Locale.ROOT,
                "%d combinations (%d on target lines) in %d runs, about %d min%n",
                total,
                targetCombinations,
                lines.size(),
                (seconds + 59) / 60);
        if (dryRun) {
            return;
        }
        Files.createDirectories(out);
        List<Path> written = new ArrayList<>();
        long start = System.nanoTime();
        int index = 0;
        for (ProfileLine l : lines) {
            index++;
            ChainedOptionsBuilder o = options(l);
            if (l.jdk() > 0) {
                Optional<Path> java = findJdk(l.jdk());
                if (java.isEmpty()) {
                    System.out.println(
                            "SKIPPED " + l.source() + ": needs JDK " + l.jdk() + "+, none found");
                    continue;
                }
                o.jvm(java.get().toString());
            }
            Path json = out.resolve(String.format(Locale.ROOT, "run-%02d.json", index));
            o.result(json.toString());
            new Runner(o.build()).run();
            if (Files.exists(json)) {
                written.add(json);
            }
        }
        List<Result> all = new ArrayList<>();
        for (Path f : written) {
            all.addAll(Result.read(f));
        }
        new Report(all).write(docs, Report.describeMachine(), COMMAND);
        System.out.printf(
                Locale.ROOT,
                "%d results in %.1f min; wrote %s and %s%n",
                all.size(),
                (System.nanoTime() - start) / 60e9,
                docs.resolve("benchmarks.md"),
                docs.resolve("benchmarks-ratios.svg"));
    }

    /**
     * The JMH options of one line: its regex and parameters, its forks and iterations of 1 s,
     * {@code -prof gc} and JSON output (the result file and JVM are set by the caller).
     *
     * @param l the line
     * @return the options, still open for more
     */
    static ChainedOptionsBuilder options(ProfileLine l) {
        ChainedOptionsBuilder o =
                new OptionsBuilder()
                        .include(l.include())
                        .addProfiler(GCProfiler.class)
                        .shouldFailOnError(false)
                        .resultFormat(ResultFormatType.JSON)
                        .forks(l.settings().forks())
                        .warmupIterations(l.settings().warmups())
                        .warmupTime(TimeValue.seconds(1))
                        .measurementIterations(l.settings().iterations())
                        .measurementTime(TimeValue.seconds(1));
        l.params().forEach((k, v) -> o.param(k, v.toArray(new String[0])));
        return o;
    }

    /**
     * The benchmarks a line runs, checked against their parameters.
     *
     * @param l the line
     * @param list the module's benchmarks
     * @return the benchmarks whose name the line's regex matches
     * @throws IllegalArgumentException if none matches, or a matched benchmark lacks a parameter
     *     the line lists
     */
    static List<BenchmarkListEntry> benchmarks(ProfileLine l, BenchmarkList list) {
        OutputFormat quiet =
                OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
        List<BenchmarkListEntry> found =
                new ArrayList<>(list.find(quiet, List.of(l.include()), List.of()));
        if (found.isEmpty()) {
            throw new IllegalArgumentException(
                    l.source() + ": no benchmark matches " + l.include());
        }
        for (BenchmarkListEntry e : found) {
            List<String> unknown = l.unknownParams(e.getParams().orElse(Map.of()));
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(
                        l.source() + ": " + e.getUsername() + " has no parameter " + unknown);
            }
        }
        return found;
    }

    /**
     * Reads every profile file in a folder, in name order.
     *
     * @param dir the folder
     * @param only keeps the lines whose text matches; null keeps all
     * @return the runs
     * @throws IOException if the folder cannot be read
     */
    static List<ProfileLine> readProfiles(Path dir, Pattern only) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    "the profile folder "
                            + dir.toAbsolutePath()
                            + " does not exist; run from the repository root or pass --profiles");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".profile")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no *.profile file in " + dir.toAbsolutePath());
        }
        List<ProfileLine> lines = new ArrayList<>();
        for (Path f : files) {
            List<String> text = Files.readAllLines(f);
            for (int i = 0; i < text.size(); i++) {
                if (only != null && !only.matcher(text.get(i)).find()) {
                    continue;
                }
                ProfileLine l = ProfileLine.parse(f.getFileName() + ":" + (i + 1), text.get(i));
                if (l != null) {
                    lines.add(l);
                }
            }
        }
        return lines;
    }

    /**
     * Finds a JDK of at least the given feature version: {@code $JDK<N>_HOME} if set, else the
     * newest under {@code /usr/lib/jvm} whose {@code release} file says so.
     *
     * @param feature the smallest feature version, e.g. 21
     * @return the {@code java} launcher, or empty if none
     * @throws IOException if {@code /usr/lib/jvm} cannot be listed
     */
    static Optional<Path> findJdk(int feature) throws IOException {
        String env = System.getenv("JDK" + feature + "_HOME");
        if (env != null) {
            return Optional.of(Path.of(env, "bin", "java"));
        }
        Path root = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(d -> featureOf(d) >= feature)
                    .max(Comparator.comparingInt(RunProfile::featureOf))
                    .map(d -> d.resolve("bin").resolve("java"));
        }
    }

    private static int featureOf(Path jdk) {
        Path release = jdk.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(jdk.resolve("bin/java"))) {
            return 0;
        }
        try {
            for (String l : Files.readAllLines(release)) {
                if (l.startsWith("JAVA_VERSION=")) {
                    String v = l.substring(l.indexOf('"') + 1);
                    return Integer.parseInt(v.split("[.\"]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
