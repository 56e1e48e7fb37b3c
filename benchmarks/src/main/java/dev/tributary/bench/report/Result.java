package dev.tributary.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JMH result: a benchmark method with one combination of parameters.
 *
 * @param benchmark the fully qualified benchmark method, {@code dev.tributary.bench.X.method}
 * @param params every parameter, {@code impl} included, sorted by name
 * @param score the primary score (ns/op for every benchmark in this module)
 * @param error the 99.9% half-width JMH reports; NaN with fewer than two iterations
 * @param unit the primary score's unit
 * @param bytesPerOp {@code gc.alloc.rate.norm} from {@code -prof gc}; NaN without the profiler
 * @param jdk the JDK version and VM that ran the fork
 */
public record Result(
        String benchmark,
        Map<String, String> params,
        double score,
        double error,
        String unit,
        double bytesPerOp,
        String jdk) {

    /** The parameter every benchmark class uses for the implementation under test. */
    public static final String IMPL = "impl";

    /**
     * Whether an implementation name is a Tributary variant.
     *
     * @param impl a value of the {@code impl} parameter
     * @return true for {@code tributary} and {@code tributary-*}
     */
    public static boolean isTributary(String impl) {
        return impl.equals("tributary") || impl.startsWith("tributary-");
    }

    /**
     * The implementation under test.
     *
     * @return the {@code impl} parameter, or {@code "tributary"} for a benchmark without one
     */
    public String impl() {
        return params.getOrDefault(IMPL, "tributary");
    }

    /**
     * The benchmark class and method without the package, e.g. {@code MpscThroughput.blocking}.
     *
     * @return the short name
     */
    public String shortName() {
        int method = benchmark.lastIndexOf('.');
        int cls = benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(cls + 1);
    }

    /**
     * The group this result is compared in: the method and every parameter but {@code impl}.
     *
     * @return e.g. {@code MpscThroughput.blocking capacity=1024 producers=1}
     */
    public String group() {
        StringBuilder b = new StringBuilder(shortName());
        params.forEach(
                (k, v) -> {
                    if (!k.equals(IMPL)) {
                        b.append(' ').append(k).append('=').append(v);
                    }
                });
        if (!jdk.startsWith("17")) {
            b.append(" (JDK ").append(jdk.split(" ")[0]).append(')');
        }
        return b.toString();
    }

    /**
     * Reads every result of a JMH JSON file ({@code -rf json}).
     *
     * @param file the file
     * @return its results, in file order
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if it is not a JMH JSON result file
     */
    public static List<Result> read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    /**
     * Reads every result of a JMH JSON document.
     *
     * @param json the document
     * @return its results, in document order
     * @throws IllegalArgumentException if it is not a JMH JSON result document
     */
    public static List<Result> parse(String json) {
        List<Result> out = new ArrayList<>();
        for (Object o : Json.array(Json.parse(json), "a JMH result file")) {
            Map<String, Object> r = Json.object(o, "a JMH result");
            String benchmark = (String) r.get("benchmark");
            if (benchmark == null) {
                throw new IllegalArgumentException("a JMH result needs \"benchmark\" but has " + r);
            }
            Map<String, String> params = new TreeMap<>();
            Object p = r.get("params");
            if (p != null) {
                Json.object(p, "params").forEach((k, v) -> params.put(k, String.valueOf(v)));
            }
            Map<String, Object> primary = Json.object(r.get("primaryMetric"), "primaryMetric");
            double alloc = Double.NaN;
            Object secondary = r.get("secondaryMetrics");
            if (secondary != null) {
                for (Map.Entry<String, Object> e :
                        Json.object(secondary, "secondaryMetrics").entrySet()) {
                    if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                        alloc = Json.number(Json.object(e.getValue(), e.getKey()).get("score"));
                    }
                }
            }
            out.add(
                    new Result(
                            benchmark,
                            Collections.unmodifiableMap(new LinkedHashMap<>(params)),
                            Json.number(primary.get("score")),
                            Json.number(primary.get("scoreError")),
                            String.valueOf(primary.get("scoreUnit")),
                            alloc,
                            r.get("jdkVersion") + " " + r.get("vmName")));
        }
        return out;
    }
}
