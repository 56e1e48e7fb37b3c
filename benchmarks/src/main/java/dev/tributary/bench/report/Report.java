package dev.tributary.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns JMH JSON result files into {@code docs/benchmarks.md} (ns/op, bytes/op and the ratio to
 * every peer, plus issue 14's targets) and {@code docs/benchmarks-ratios.svg} (the ratios as a bar
 * chart).
 *
 * <p>Results are compared within a group: one benchmark method with the same values of every
 * parameter but {@code impl}. The group's reference is its {@code impl=tributary} result, or else
 * its first Tributary variant; every other result gets {@code its ns/op ÷ the reference's ns/op},
 * so a ratio above 1 means Tributary is faster.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tributary.bench.report.Report [--docs DIR]
 * [--machine TEXT] [--command TEXT] result.json...}
 */
public final class Report {

    /** The targets, checked in every report. */
    static final List<Target> TARGETS = Targets.ALL;

    private final List<Result> results;
    private final List<Target> targets;
    private final Map<String, List<Result>> groups = new LinkedHashMap<>();

    /**
     * A report over the given results.
     *
     * @param results the results of one run, in run order
     */
    public Report(List<Result> results) {
        this(results, TARGETS);
    }

    /**
     * A report over the given results that checks the given targets.
     *
     * @param results the results of one run, in run order
     * @param targets the targets of its table
     */
    Report(List<Result> results, List<Target> targets) {
        this.results = List.copyOf(results);
        this.targets = List.copyOf(targets);
        for (Result r : results) {
            groups.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r);
        }
    }

    /**
     * Generates the report from the command line.
     *
     * @param args options and JSON files, see the class javadoc
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Path docs = Path.of("docs");
        String machine = describeMachine();
        String command = RunProfile.COMMAND;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--docs" -> docs = Path.of(value(args, ++i, "--docs"));
                case "--machine" -> machine = value(args, ++i, "--machine");
                case "--command" -> command = value(args, ++i, "--command");
                default -> files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(
                    "Report needs at least one JMH JSON result file but was given none");
        }
        List<Result> all = new ArrayList<>();
        for (Path f : files) {
            all.addAll(Result.read(f));
        }
        new Report(all).write(docs, machine, command);
    }

    static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value but was the last argument");
        }
        return args[i];
    }

    /**
     * Writes {@code benchmarks.md} and {@code benchmarks-ratios.svg} into {@code docs}.
     *
     * @param docs the folder, created if missing
     * @param machine the machine that ran the benchmarks, in words
     * @param command the command that regenerates the report
     * @throws IOException if a file cannot be written
     */
    public void write(Path docs, String machine, String command) throws IOException {
        Files.createDirectories(docs);
        Files.writeString(docs.resolve("benchmarks-ratios.svg"), svg());
        Files.writeString(docs.resolve("benchmarks.md"), markdown(machine, command));
    }

    /**
     * The reference result of a group: {@code impl=tributary}, else its first Tributary variant.
     *
     * @param group the group's results
     * @return the reference, or empty if the group has no Tributary result
     */
    static Optional<Result> reference(List<Result> group) {
        Optional<Result> exact =
                group.stream().filter(r -> r.impl().equals("tributary")).findFirst();
        return exact.isPresent()
                ? exact
                : group.stream().filter(r -> Result.isTributary(r.impl())).findFirst();
    }

    /**
     * The chart's bars: one per peer of every group that has a reference.
     *
     * @return the bars in run order
     */
    public List<Chart.Bar> bars() {
        List<Chart.Bar> bars = new ArrayList<>();
        groups.forEach(
                (g, rs) ->
                        reference(rs)
                                .ifPresent(
                                        ref -> {
                                            for (Result r : rs) {
                                                if (!Result.isTributary(r.impl())) {
                                                    bars.add(
                                                            new Chart.Bar(
                                                                    g,
                                                                    g + " vs " + r.impl(),
                                                                    r.score() / ref.score()));
                                                }
                                            }
                                        }));
        return bars;
    }

    /**
     * The chart.
     *
     * @return an SVG document
     */
    public String svg() {
        return Chart.svg("Tributary vs peers, same JMH run", bars());
    }

    /**
     * The results page.
     *
     * @param machine the machine that ran the benchmarks
     * @param command the command that regenerates the page
     * @return Markdown
     */
    public String markdown(String machine, String command) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append(
                        "Generated by `dev.tributary.bench.report.Report` from JMH's JSON output; do not"
                                + " edit by hand. Regenerate with:\n\n```\n")
                .append(command)
                .append("\n```\n\n");
        Set<String> jdks = new LinkedHashSet<>();
        results.forEach(r -> jdks.add(r.jdk()));
        md.append("- Machine: ").append(machine).append('\n');
        md.append("- JDK: ").append(String.join("; ", jdks)).append('\n');
        md.append("- Date: ").append(LocalDate.now(ZoneOffset.UTC)).append('\n');
        ProfileLine.Settings shortRun = ProfileLine.Settings.SHORT;
        ProfileLine.Settings targetRun = ProfileLine.Settings.TARGET;
        md.append(
                String.format(
                        Locale.ROOT,
                        "- Settings: JMH 1.37, `-prof gc`, every iteration 1 s. Lines of the"
                                + " profile that check a target (marked `@target`) run %d forks"
                                + " per combination, %d warm-up and %d measurement iterations"
                                + " each; the other lines run %d fork, %d warm-up and %d"
                                + " measurement iterations, so read their ratios, not absolute"
                                + " numbers. The ± is JMH's 99.9%% error.%n",
                        targetRun.forks(),
                        targetRun.warmups(),
                        targetRun.iterations(),
                        shortRun.forks(),
                        shortRun.warmups(),
                        shortRun.iterations()));
        md.append(
                "- Scores are nanoseconds per operation (per message, per acquire + release, per"
                        + " round trip: each class's javadoc says). Bytes/op is"
                        + " `gc.alloc.rate.norm`. **Ratio = peer ns/op ÷ Tributary ns/op**: above"
                        + " 1 Tributary is faster, below 1 the peer is.\n\n");
        md.append("## Targets (issue 14)\n\n");
        md.append(
                "A ratio's ± combines both scores' errors (relative errors added in quadrature);"
                        + " a floor or goal is met only when the whole interval lies at or above"
                        + " it, and unclear when the interval contains it. Bytes/op targets"
                        + " compare the figure itself; 0 B allows "
                        + fmt(Targets.ZERO_BYTES)
                        + " B of harness allocation spread over the batch.\n\n");
        md.append(
                "| target | group | now | floor | goal | measured | floor met | goal met |\n"
                        + "|---|---|---|---|---|---|---|---|\n");
        for (Target t : targets) {
            Optional<Target.Measured> m = t.measure(results);
            md.append("| ")
                    .append(t.label())
                    .append(" | `")
                    .append(t.group())
                    .append("` | ")
                    .append(t.now())
                    .append(" | ")
                    .append(t.describeBound(t.floor()))
                    .append(" | ")
                    .append(t.describeBound(t.goal()))
                    .append(" | ")
                    .append(m.map(t::describe).orElse("not run"))
                    .append(" | ")
                    .append(m.map(v -> t.floorMet(v).text()).orElse("—"))
                    .append(" | ")
                    .append(m.map(v -> t.goalMet(v).text()).orElse("—"))
                    .append(" |\n");
        }
        md.append("\n## Ratios\n\n![Ratio of every peer to Tributary](benchmarks-ratios.svg)\n\n");
        md.append("## Results\n");
        String cls = null;
        for (Map.Entry<String, List<Result>> e : groups.entrySet()) {
            List<Result> rs = e.getValue();
            String c = rs.get(0).shortName().split("\\.")[0];
            if (!c.equals(cls)) {
                cls = c;
                md.append("\n### ").append(c).append('\n');
            }
            md.append("\n`").append(e.getKey()).append("`\n\n");
            md.append("| impl | ns/op | ± | B/op | peer ÷ tributary |\n|---|--:|--:|--:|--:|\n");
            Optional<Result> ref = reference(rs);
            for (Result r : rs) {
                md.append("| ")
                        .append(Result.isTributary(r.impl()) ? "**" + r.impl() + "**" : r.impl())
                        .append(" | ")
                        .append(fmt(r.score()))
                        .append(" | ")
                        .append(Double.isNaN(r.error()) ? "—" : fmt(r.error()))
                        .append(" | ")
                        .append(Double.isNaN(r.bytesPerOp()) ? "—" : fmt(r.bytesPerOp()))
                        .append(" | ")
                        .append(
                                ref.filter(x -> x != r)
                                        .map(
                                                x ->
                                                        String.format(
                                                                Locale.ROOT,
                                                                "%.2f",
                                                                r.score() / x.score()))
                                        .orElse("1"))
                        .append(" |\n");
            }
        }
        return md.toString();
    }

    static String fmt(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * This machine in words: CPU model, cores, memory and OS, read from {@code /proc} where
     * present.
     *
     * @return e.g. {@code "AMD EPYC 7B13, 2 cores, 23 GiB, Linux 6.1"}
     */
    static String describeMachine() {
        String cpu = "unknown CPU";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu =
                    lines.filter(l -> l.startsWith("model name"))
                            .map(l -> l.substring(l.indexOf(':') + 1).trim())
                            .findFirst()
                            .orElse(cpu);
        } catch (IOException | UncheckedIOException e) {
            // not Linux: keep the default
        }
        long mem = Runtime.getRuntime().maxMemory();
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            mem =
                    lines.filter(l -> l.startsWith("MemTotal:"))
                            .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024)
                            .findFirst()
                            .orElse(mem);
        } catch (IOException | UncheckedIOException e) {
            // keep the JVM's view
        }
        return String.format(
                Locale.ROOT,
                "%s, %d cores, %d GiB, %s %s",
                cpu,
                Runtime.getRuntime().availableProcessors(),
                Math.round(mem / (1024.0 * 1024 * 1024)),
                System.getProperty("os.name"),
                System.getProperty("os.version"));
    }
}
