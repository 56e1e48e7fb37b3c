package dev.tributary.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * Reads the real profile files against the module's compiled benchmark list: every target of the
 * report must be run, both of its implementations in its group, by a line long enough to judge it.
 */
class ProfileCoversTargetsTest {

    /** Group → implementations run in it by target lines, and by any line. */
    private static Map<Boolean, Map<String, Set<String>>> runs() throws Exception {
        List<ProfileLine> lines = RunProfile.readProfiles(Path.of("profile"), null);
        BenchmarkList list = BenchmarkList.defaultList();
        Map<Boolean, Map<String, Set<String>>> out = new HashMap<>();
        out.put(true, new HashMap<>());
        out.put(false, new HashMap<>());
        for (ProfileLine l : lines) {
            if (l.jdk() > 0) {
                continue; // groups from another JDK carry a suffix; no target uses them
            }
            for (BenchmarkListEntry e : RunProfile.benchmarks(l, list)) {
                String name = e.getUsername();
                String shortName =
                        name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
                l.groups(shortName, e.getParams().orElse(Map.of()))
                        .forEach(
                                (g, impls) -> {
                                    for (boolean targetOnly : new boolean[] {true, false}) {
                                        if (!targetOnly || l.checksTargets()) {
                                            out.get(targetOnly)
                                                    .computeIfAbsent(g, k -> new HashSet<>())
                                                    .addAll(impls);
                                        }
                                    }
                                });
            }
        }
        return out;
    }

    @Test
    void everyTargetIsRunByATargetLine() throws Exception {
        Map<String, Set<String>> targetRuns = runs().get(true);
        List<String> missing = new ArrayList<>();
        for (Target t : Targets.ALL) {
            Set<String> impls = targetRuns.getOrDefault(t.group(), Set.of());
            if (!impls.contains(t.tributary()) || (t.peer() != null && !impls.contains(t.peer()))) {
                missing.add(t.label() + " [" + t.group() + "] has " + impls);
            }
        }
        assertEquals(List.of(), missing, "targets without a @target line that runs both sides");
    }

    @Test
    void everyGroupAndImplementationOfTheProfileExists() throws Exception {
        Map<String, Set<String>> all = runs().get(false);
        assertTrue(all.size() > 30, "the profile's groups: " + all.keySet());
        assertTrue(
                all.get("MpscThroughput.blocking capacity=1024 producers=1")
                        .contains("LinkedBlockingQueue"),
                "short lines add peers to a target group");
    }
}
