package dev.tributary.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One line of a {@code benchmarks/profile/*.profile} file: one JMH run.
 *
 * <pre>{@code <regex of benchmarks>  [param=v1,v2,...]...  [jdk=21]  [@target]
 *     [forks=N]  [warmups=N]  [iterations=N]}</pre>
 *
 * <p>The run takes the cartesian product of the listed values; parameters not listed keep the
 * values in the benchmark's {@code @Param}. {@code jdk=N} runs the forks on a JDK whose feature
 * version is at least N. Text after {@code #} is a comment; blank lines are skipped.
 *
 * <p>JMH settings, every iteration 1 s: a plain line runs {@link Settings#SHORT} (1 fork, 2 warm-up
 * and 3 measurement iterations); {@code @target} marks a line that checks a performance target and
 * runs {@link Settings#TARGET} (3 forks, 2 warm-up and 5 measurement iterations). {@code forks=N},
 * {@code warmups=N} and {@code iterations=N} override one setting, whichever comes first on the
 * line. The benchmark class's own {@code @Fork}, {@code @Warmup} and {@code @Measurement} counts
 * are always overridden, so the profile alone says what runs.
 *
 * @param source where the line came from, {@code file:line}, for messages
 * @param include the regular expression JMH matches against benchmark names
 * @param params the listed parameter values, in line order
 * @param jdk the smallest JDK feature version the forks need; 0 for the JDK that runs this
 * @param settings the forks and iterations JMH runs
 */
public record ProfileLine(
        String source,
        String include,
        Map<String, List<String>> params,
        int jdk,
        Settings settings) {

    /** The marker of a target line. */
    public static final String TARGET_MARKER = "@target";

    /**
     * How JMH runs a line; every warm-up and measurement iteration lasts 1 s.
     *
     * @param forks forked JVMs per combination
     * @param warmups warm-up iterations per fork
     * @param iterations measurement iterations per fork
     */
    public record Settings(int forks, int warmups, int iterations) {

        /** A plain line: 1 fork, 2 × 1 s warm-up, 3 × 1 s measurement. */
        public static final Settings SHORT = new Settings(1, 2, 3);

        /** A {@code @target} line: 3 forks, 2 × 1 s warm-up, 5 × 1 s measurement. */
        public static final Settings TARGET = new Settings(3, 2, 5);

        /** Fork start, JIT of the harness and set-up of one fork, in seconds, for estimates. */
        static final int SECONDS_OVERHEAD_PER_FORK = 2;

        /**
         * Whether these settings are enough to check a target: at least 3 forks × 5 × 1 s.
         *
         * @return true if a target may be judged from them
         */
        public boolean checksTargets() {
            return forks >= TARGET.forks && iterations >= TARGET.iterations;
        }

        /**
         * About how long one combination takes.
         *
         * @return seconds: per fork, its warm-up, measurement and overhead
         */
        public int secondsPerCombination() {
            return forks * (warmups + iterations + SECONDS_OVERHEAD_PER_FORK);
        }

        /**
         * The settings in words.
         *
         * @return e.g. {@code 3 forks × (2 + 5) × 1 s}
         */
        public String describe() {
            return forks
                    + (forks == 1 ? " fork" : " forks")
                    + " × ("
                    + warmups
                    + " + "
                    + iterations
                    + ") × 1 s";
        }
    }

    /**
     * Parses one line.
     *
     * @param source where it came from, for messages
     * @param line the text
     * @return the run, or null for a blank or comment-only line
     * @throws IllegalArgumentException if a word is neither {@code key=values}, a known marker nor
     *     the regex, or a setting is not a positive whole number
     */
    public static ProfileLine parse(String source, String line) {
        int hash = line.indexOf('#');
        String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
        if (text.isEmpty()) {
            return null;
        }
        String[] words = text.split("\\s+");
        if (words[0].contains("=") || words[0].startsWith("@")) {
            throw new IllegalArgumentException(
                    source
                            + ": a profile line starts with the benchmark regex, then key=values,"
                            + " but starts with "
                            + words[0]);
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        int jdk = 0;
        boolean target = false;
        Integer forks = null;
        Integer warmups = null;
        Integer iterations = null;
        for (String w : Arrays.asList(words).subList(1, words.length)) {
            if (w.startsWith("@")) {
                if (!w.equals(TARGET_MARKER)) {
                    throw new IllegalArgumentException(
                            source
                                    + ": unknown marker "
                                    + w
                                    + "; the only marker is "
                                    + TARGET_MARKER);
                }
                target = true;
                continue;
            }
            int eq = w.indexOf('=');
            if (eq <= 0 || eq == w.length() - 1) {
                throw new IllegalArgumentException(
                        source
                                + ": expected key=v1,v2,... or @target after the regex but got "
                                + w);
            }
            String key = w.substring(0, eq);
            String value = w.substring(eq + 1);
            switch (key) {
                case "jdk" -> jdk = positive(source, key, value, "a feature version such as 21");
                case "forks" -> forks = once(source, key, forks, value);
                case "warmups" -> warmups = once(source, key, warmups, value);
                case "iterations" -> iterations = once(source, key, iterations, value);
                default -> {
                    if (params.put(key, List.of(value.split(","))) != null) {
                        throw new IllegalArgumentException(
                                source + ": parameter " + key + " is listed twice");
                    }
                }
            }
        }
        Settings base = target ? Settings.TARGET : Settings.SHORT;
        Settings settings =
                new Settings(
                        forks != null ? forks : base.forks(),
                        warmups != null ? warmups : base.warmups(),
                        iterations != null ? iterations : base.iterations());
        return new ProfileLine(
                source, words[0], Collections.unmodifiableMap(params), jdk, settings);
    }

    private static Integer once(String source, String key, Integer before, String value) {
        if (before != null) {
            throw new IllegalArgumentException(source + ": " + key + "= is given twice");
        }
        return positive(source, key, value, "a whole number of at least 1");
    }

    private static int positive(String source, String key, String value, String needs) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    source + ": " + key + "= needs " + needs + " but got " + value, e);
        }
        if (n < 1) {
            throw new IllegalArgumentException(
                    source + ": " + key + "= needs " + needs + " but got " + value);
        }
        return n;
    }

    /**
     * Whether this line runs long enough to check targets; see {@link Settings#checksTargets()}.
     *
     * @return true for a {@code @target} line (unless it lowers a setting)
     */
    public boolean checksTargets() {
        return settings.checksTargets();
    }

    /**
     * How many combinations this line runs for one benchmark.
     *
     * @param defaults the benchmark's own {@code @Param} values
     * @return the size of the cartesian product
     */
    public int combinations(Map<String, String[]> defaults) {
        int n = 1;
        for (Map.Entry<String, String[]> e : defaults.entrySet()) {
            List<String> listed = params.get(e.getKey());
            n *= listed != null ? listed.size() : e.getValue().length;
        }
        return n;
    }

    /**
     * The result groups this line produces for one benchmark, each with the implementations run in
     * it: the same strings as {@link Result#group()} for results on JDK 17.
     *
     * @param shortName the benchmark without its package, e.g. {@code MpscThroughput.blocking}
     * @param defaults the benchmark's own {@code @Param} values
     * @return group → implementations, in line order
     */
    public Map<String, Set<String>> groups(String shortName, Map<String, String[]> defaults) {
        Map<String, List<String>> values = new TreeMap<>();
        defaults.forEach((k, v) -> values.put(k, params.getOrDefault(k, List.of(v))));
        List<String> impls = values.getOrDefault(Result.IMPL, List.of("tributary"));
        List<String> groups = List.of(shortName);
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            if (e.getKey().equals(Result.IMPL)) {
                continue;
            }
            List<String> longer = new ArrayList<>();
            for (String g : groups) {
                for (String v : e.getValue()) {
                    longer.add(g + " " + e.getKey() + "=" + v);
                }
            }
            groups = longer;
        }
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String g : groups) {
            out.put(g, Collections.unmodifiableSet(new LinkedHashSet<>(impls)));
        }
        return out;
    }

    /**
     * The parameters this line lists that the benchmark does not have.
     *
     * @param defaults the benchmark's own {@code @Param} values
     * @return the unknown names, empty if none
     */
    public List<String> unknownParams(Map<String, String[]> defaults) {
        List<String> unknown = new ArrayList<>();
        for (String k : params.keySet()) {
            if (!defaults.containsKey(k)) {
                unknown.add(k);
            }
        }
        return unknown;
    }
}
