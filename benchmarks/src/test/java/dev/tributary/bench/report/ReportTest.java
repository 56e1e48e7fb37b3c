package dev.tributary.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class ReportTest {

    /** A JMH JSON document in the shape JMH 1.37 writes, with the given results. */
    static String jmh(String... results) {
        return "[" + String.join(",", results) + "]";
    }

    static String result(String method, String impl, String producers, double score, double bytes) {
        return """
                {"jmhVersion":"1.37","benchmark":"dev.tributary.bench.%s","mode":"avgt",
                 "jdkVersion":"17.0.15","vmName":"OpenJDK 64-Bit Server VM",
                 "params":{"impl":"%s","producers":"%s"},
                 "primaryMetric":{"score":%s,"scoreError":"NaN","scoreUnit":"ns/op",
                   "rawData":[[1.0]]},
                 "secondaryMetrics":{"gc.alloc.rate":{"score":1.0,"scoreUnit":"MB/sec"},
                   "gc.alloc.rate.norm":{"score":%s,"scoreUnit":"B/op"}}}
                """
                .formatted(method, impl, producers, score, bytes);
    }

    static final List<Result> RUN =
            Result.parse(
                    jmh(
                            result("Mpsc.blocking", "tributary", "1", 50, 0),
                            result("Mpsc.blocking", "ArrayBlockingQueue", "1", 150, 0),
                            result("Mpsc.blocking", "JCTools", "1", 25, 0.5),
                            result("Mpsc.blocking", "tributary-async", "1", 100, 48),
                            result("Mpsc.blocking", "tributary", "4", 80, 0),
                            result("Mpsc.blocking", "ArrayBlockingQueue", "4", 120, 0)));

    @Test
    void readsJmhJson() {
        Result r = RUN.get(2);
        assertEquals("dev.tributary.bench.Mpsc.blocking", r.benchmark());
        assertEquals("Mpsc.blocking", r.shortName());
        assertEquals("JCTools", r.impl());
        assertEquals(Map.of("impl", "JCTools", "producers", "1"), r.params());
        assertEquals(25, r.score());
        assertTrue(Double.isNaN(r.error()), "JMH writes a missing error as the string NaN");
        assertEquals(0.5, r.bytesPerOp());
        assertEquals("Mpsc.blocking producers=1", r.group());
    }

    @Test
    void groupsByEveryParameterButImplAndComparesToTributary() {
        Report report = new Report(RUN);
        List<Chart.Bar> bars = report.bars();
        assertEquals(3, bars.size(), "one bar per peer per group; Tributary variants get none");
        assertEquals("Mpsc.blocking producers=1 vs ArrayBlockingQueue", bars.get(0).label());
        assertEquals(3.0, bars.get(0).ratio(), 1e-9);
        assertEquals(0.5, bars.get(1).ratio(), 1e-9);
        assertEquals("Mpsc.blocking producers=4 vs ArrayBlockingQueue", bars.get(2).label());
        assertEquals(1.5, bars.get(2).ratio(), 1e-9);
    }

    @Test
    void referenceIsPlainTributaryElseTheFirstVariant() {
        List<Result> variantsOnly = List.of(RUN.get(3), RUN.get(1));
        assertEquals("tributary-async", Report.reference(variantsOnly).orElseThrow().impl());
        assertEquals("tributary", Report.reference(RUN.subList(0, 4)).orElseThrow().impl());
        assertEquals(Optional.empty(), Report.reference(List.of(RUN.get(1))));
    }

    @Test
    void markdownHasOneRowPerResultWithRatioAndBytes() {
        String md = new Report(RUN).markdown("test machine", "the command");
        assertTrue(md.contains("- Machine: test machine"), md);
        assertTrue(md.contains("the command"), md);
        assertTrue(md.contains("| ArrayBlockingQueue | 150 | — | 0.00 | 3.00 |"), md);
        assertTrue(md.contains("| JCTools | 25.0 | — | 0.50 | 0.50 |"), md);
        assertTrue(md.contains("| **tributary-async** | 100 | — | 48.0 | 2.00 |"), md);
        assertTrue(md.contains("`Mpsc.blocking producers=4`"), md);
    }

    /** A result in a group of its own, with a JMH error. */
    static Result scored(String impl, double score, double error) {
        return Result.parse(
                        jmh(
                                result("Pair.x", impl, "1", score, 0)
                                        .replace("\"NaN\"", String.valueOf(error))))
                .get(0);
    }

    static Target pair(double floor, double goal) {
        return new Target("pair", "Pair.x producers=1", "tributary", "peer", "0.5×", floor, goal);
    }

    @Test
    void ratioErrorAddsBothRelativeErrorsInQuadrature() {
        // peer 300 ± 9 (3 %), tributary 100 ± 4 (4 %): r = 3, rel = 5 %, interval [2.85, 3.15]
        List<Result> run = List.of(scored("tributary", 100, 4), scored("peer", 300, 9));
        Target.Measured m = pair(2, 4).measure(run).orElseThrow();
        assertEquals(3.0, m.value(), 1e-9);
        assertEquals(0.05, m.relativeError(), 1e-9);
        assertEquals(0.15, m.error(), 1e-9);
        assertEquals("3.00× ± 0.15", pair(2, 4).describe(m));
    }

    @Test
    void floorIsMetOnlyWhenTheWholeIntervalLiesAtOrAboveIt() {
        Target.Measured m = new Target.Measured(2.0, 0.25); // [1.5, 2.5], exact in binary
        assertEquals(Target.Verdict.MET, pair(1.5, 4).floorMet(m), "lower end on the floor");
        assertEquals(Target.Verdict.MET, pair(1.2, 4).floorMet(m));
        assertEquals(Target.Verdict.STRADDLES, pair(2.0, 4).floorMet(m));
        assertEquals(Target.Verdict.STRADDLES, pair(2.5, 4).floorMet(m), "upper end on it");
        assertEquals(Target.Verdict.MISSED, pair(2.6, 4).floorMet(m));
        assertEquals(Target.Verdict.MISSED, pair(1, 3).goalMet(m), "the goal is judged alike");
        assertEquals(Target.Verdict.STRADDLES, pair(1, 2.2).goalMet(m));
        assertEquals(Target.Verdict.MET, pair(1, 1.4).goalMet(m));
        assertEquals(
                Target.Verdict.NO_ERROR,
                pair(1, 2).floorMet(new Target.Measured(3.0, Double.NaN)),
                "without JMH's error nothing can be claimed");
    }

    @Test
    void allocationTargetsCompareTheBytesFigure() {
        Target zeroBytes =
                new Target("0 B/msg", "Mpsc.blocking producers=1", "tributary", null, "0", 1, 1);
        Target async =
                new Target(
                        "async", "Mpsc.blocking producers=1", "tributary-async", null, "", 24, 1);
        assertEquals(0.0, zeroBytes.measure(RUN).orElseThrow().value());
        assertEquals(Target.Verdict.MET, zeroBytes.floorMet(zeroBytes.measure(RUN).orElseThrow()));
        Target.Measured fortyEight = async.measure(RUN).orElseThrow();
        assertEquals(48.0, fortyEight.value());
        assertEquals(Target.Verdict.MISSED, async.floorMet(fortyEight));
        assertEquals(Target.Verdict.MET, async.floorMet(new Target.Measured(24, 0)));
        assertEquals("≤ 24.0 B/op", async.describeBound(24));
        assertEquals("48.0 B/op", async.describe(fortyEight));
        assertEquals("≥ 2.50×", pair(2.5, 4).describeBound(2.5));
    }

    @Test
    void targetsFindTheirPairInTheGroupOrReportItMissing() {
        Target abq =
                new Target(
                        "ABQ",
                        "Mpsc.blocking producers=1",
                        "tributary",
                        "ArrayBlockingQueue",
                        "",
                        2,
                        4);
        Target variant =
                new Target(
                        "v", "Mpsc.blocking producers=1", "tributary-async", "JCTools", "", 1, 1);
        Target absent = new Target("absent", "Nope.x", "tributary", "ArrayBlockingQueue", "", 1, 1);
        assertEquals(3.0, abq.measure(RUN).orElseThrow().value(), 1e-9);
        assertEquals(0.25, variant.measure(RUN).orElseThrow().value(), 1e-9);
        assertEquals(Optional.empty(), absent.measure(RUN));
    }

    @Test
    void targetsTableShowsNowFloorGoalMeasuredAndVerdicts() {
        List<Result> run =
                List.of(
                        scored("tributary", 100, 4),
                        scored("peer", 300, 9),
                        scored("tributary-async", 100, 1));
        String md = new Report(run).markdown("m", "c");
        assertTrue(md.contains("## Targets (issue 14)"), md);
        assertTrue(
                md.contains(
                        "| target | group | now | floor | goal | measured | floor met | goal met |"),
                md);
        assertTrue(md.contains("3 forks per combination, 2 warm-up and 5 measurement"), md);
        assertTrue(md.contains("the other lines run 1 fork, 2 warm-up and 3 measurement"), md);
        for (Target t : Report.TARGETS) {
            assertTrue(
                    md.contains("| " + t.label() + " | `" + t.group() + "` | " + t.now() + " | "),
                    t.label());
        }
        assertTrue(md.contains("| not run | — | — |"), "targets without results say so");
        String row = new Report(run, List.of(pair(2.5, 3))).markdown("m", "c");
        assertTrue(
                row.contains(
                        "| pair | `Pair.x producers=1` | 0.5× | ≥ 2.50× | ≥ 3.00× | 3.00× ± 0.15 |"
                                + " yes | unclear (straddles) |"),
                row);
        Target bytes = new Target("b", "Pair.x producers=1", "tributary-async", null, "8 B", 0, 0);
        assertTrue(
                new Report(run, List.of(bytes))
                        .markdown("m", "c")
                        .contains(
                                "| b | `Pair.x producers=1` | 8 B | ≤ 0.00 B/op | ≤ 0.00 B/op |"
                                        + " 0.0 B/op | yes | yes |"));
    }

    @Test
    void svgIsWellFormedWithOneBarPerPeer() throws Exception {
        String svg = new Report(RUN).svg();
        Document doc =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        // background + the first group's band behind each of its 2 rows + 3 bars
        assertEquals(1 + 2 + 3, doc.getElementsByTagName("rect").getLength(), svg);
        assertTrue(svg.contains(">3.00×<"), svg);
        assertTrue(svg.contains(">0.50×<"), svg);
    }

    @Test
    void escapesMarkupInLabels() {
        assertEquals("a &lt;b&gt; &amp; c", Chart.escape("a <b> & c"));
    }

    @Test
    void writesBothFiles(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        Files.writeString(json, jmh(result("Mpsc.blocking", "tributary", "1", 50, 0)));
        Report.main(new String[] {"--docs", dir.resolve("docs").toString(), json.toString()});
        assertTrue(
                Files.readString(dir.resolve("docs/benchmarks.md"))
                        .contains("| **tributary** | 50.0 |"));
        assertTrue(Files.readString(dir.resolve("docs/benchmarks-ratios.svg")).startsWith("<svg"));
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException none =
                assertThrows(IllegalArgumentException.class, () -> Report.main(new String[0]));
        assertTrue(
                none.getMessage().contains("at least one JMH JSON result file"), none.getMessage());
        IllegalArgumentException last =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Report.main(new String[] {"x.json", "--docs"}));
        assertTrue(last.getMessage().contains("--docs needs a value"), last.getMessage());
        IllegalArgumentException notJmh =
                assertThrows(IllegalArgumentException.class, () -> Result.parse("[{\"x\":1}]"));
        assertTrue(notJmh.getMessage().contains("\"benchmark\""), notJmh.getMessage());
    }
}
