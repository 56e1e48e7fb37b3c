package dev.tributary.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of a {@code benchmarks/profile/*.profile} file: one JMH run.
 *
 * <pre>{@code <regex of benchmarks>  [param=v1,v2,...]...  [jdk=21]}</pre>
 *
 * <p>The run takes the cartesian product of the listed values; parameters not listed keep the
 * values in the benchmark's {@code @Param}. {@code jdk=N} runs the forks on a JDK whose feature
 * version is at least N. Text after {@code #} is a comment; blank lines are skipped.
 *
 * @param source where the line came from, {@code file:line}, for messages
 * @param include the regular expression JMH matches against benchmark names
 * @param params the listed parameter values, in line order
 * @param jdk the smallest JDK feature version the forks need; 0 for the JDK that runs this
 */
public record ProfileLine(
        String source, String include, Map<String, List<String>> params, int jdk) {

    /**
     * Parses one line.
     *
     * @param source where it came from, for messages
     * @param line the text
     * @return the run, or null for a blank or comment-only line
     * @throws IllegalArgumentException if a word is neither {@code key=values} nor the regex
     */
    public static ProfileLine parse(String source, String line) {
        int hash = line.indexOf('#');
        String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
        if (text.isEmpty()) {
            return null;
        }
        String[] words = text.split("\\s+");
        if (words[0].contains("=")) {
            throw new IllegalArgumentException(
                    source
                            + ": a profile line starts with the benchmark regex, then key=values,"
                            + " but starts with "
                            + words[0]);
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        int jdk = 0;
        for (String w : Arrays.asList(words).subList(1, words.length)) {
            int eq = w.indexOf('=');
            if (eq <= 0 || eq == w.length() - 1) {
                throw new IllegalArgumentException(
                        source + ": expected key=v1,v2,... after the regex but got " + w);
            }
            String key = w.substring(0, eq);
            String value = w.substring(eq + 1);
            if (key.equals("jdk")) {
                try {
                    jdk = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            source + ": jdk= needs a feature version such as 21 but got " + value,
                            e);
                }
            } else if (params.put(key, List.of(value.split(","))) != null) {
                throw new IllegalArgumentException(
                        source + ": parameter " + key + " is listed twice");
            }
        }
        return new ProfileLine(source, words[0], Collections.unmodifiableMap(params), jdk);
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
