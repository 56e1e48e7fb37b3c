package dev.tributary.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;

class ProfileLineTest {

    @Test
    void parsesRegexParamsAndJdk() {
        ProfileLine l =
                ProfileLine.parse(
                        "m:1", "  Mpsc.blocking  impl=tributary,ABQ producers=1,4 jdk=21 # why");
        assertEquals("Mpsc.blocking", l.include());
        assertEquals(
                Map.of("impl", List.of("tributary", "ABQ"), "producers", List.of("1", "4")),
                l.params());
        assertEquals(21, l.jdk());
        assertEquals(ProfileLine.Settings.SHORT, l.settings(), "a plain line runs short");
        assertNull(ProfileLine.parse("m:2", "   # only a comment"));
        assertNull(ProfileLine.parse("m:3", ""));
    }

    @Test
    void countsTheCartesianProductWithTheBenchmarkDefaults() {
        ProfileLine l = ProfileLine.parse("m:1", "X impl=a,b,c producers=1,4");
        Map<String, String[]> defaults =
                Map.of(
                        "impl", new String[] {"a", "b", "c", "d"},
                        "producers", new String[] {"1", "2", "4"},
                        "capacity", new String[] {"16", "1024"});
        assertEquals(3 * 2 * 2, l.combinations(defaults));
        assertEquals(List.of(), l.unknownParams(defaults));
        assertEquals(List.of("impl", "producers"), l.unknownParams(Map.of()));
    }

    @Test
    void rejectsMalformedLines() {
        IllegalArgumentException noRegex =
                assertThrows(
                        IllegalArgumentException.class, () -> ProfileLine.parse("f:3", "impl=a X"));
        assertTrue(
                noRegex.getMessage().startsWith("f:3: a profile line starts with"),
                noRegex.getMessage());
        IllegalArgumentException bare =
                assertThrows(
                        IllegalArgumentException.class, () -> ProfileLine.parse("f:4", "X impl="));
        assertEquals(
                "f:4: expected key=v1,v2,... or @target after the regex but got impl=",
                bare.getMessage());
        IllegalArgumentException jdk =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProfileLine.parse("f:5", "X jdk=new"));
        assertTrue(jdk.getMessage().contains("jdk= needs a feature version"), jdk.getMessage());
        IllegalArgumentException twice =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProfileLine.parse("f:6", "X a=1 a=2"));
        assertEquals("f:6: parameter a is listed twice", twice.getMessage());
    }

    @Test
    void targetMarkerAndOptionsSetForksAndIterations() {
        ProfileLine target = ProfileLine.parse("m:1", "X impl=a @target producers=1");
        assertEquals(new ProfileLine.Settings(3, 2, 5), target.settings());
        assertTrue(target.checksTargets());
        assertEquals(Map.of("impl", List.of("a"), "producers", List.of("1")), target.params());
        assertEquals(3 * (2 + 5 + 2), target.settings().secondsPerCombination());
        assertEquals("3 forks × (2 + 5) × 1 s", target.settings().describe());

        ProfileLine plain = ProfileLine.parse("m:2", "X impl=a");
        assertEquals(1 * (2 + 3 + 2), plain.settings().secondsPerCombination());
        assertTrue(!plain.checksTargets(), "1 fork × 3 iterations cannot check a target");
        assertEquals("1 fork × (2 + 3) × 1 s", plain.settings().describe());

        ProfileLine overridden = ProfileLine.parse("m:3", "X forks=4 @target warmups=1");
        assertEquals(new ProfileLine.Settings(4, 1, 5), overridden.settings(), "in any order");
        assertTrue(overridden.checksTargets());
        ProfileLine lowered = ProfileLine.parse("m:4", "X @target iterations=4");
        assertTrue(!lowered.checksTargets(), "fewer than 5 iterations is not a target run");
        assertEquals(
                new ProfileLine.Settings(3, 2, 10),
                ProfileLine.parse("m:5", "X forks=3 iterations=10").settings(),
                "explicit settings alone are enough");
        assertTrue(ProfileLine.parse("m:5", "X forks=3 iterations=10").checksTargets());
    }

    @Test
    void runProfileHandsTheLineSettingsToJmh() {
        Options target =
                RunProfile.options(ProfileLine.parse("m:1", "Mpsc.x impl=a,b @target")).build();
        assertEquals(List.of("Mpsc.x"), target.getIncludes());
        assertEquals(3, target.getForkCount().get());
        assertEquals(2, target.getWarmupIterations().get());
        assertEquals(5, target.getMeasurementIterations().get());
        assertEquals(TimeValue.seconds(1), target.getWarmupTime().get());
        assertEquals(TimeValue.seconds(1), target.getMeasurementTime().get());
        assertEquals(List.of("a", "b"), List.copyOf(target.getParameter("impl").get()));
        Options plain = RunProfile.options(ProfileLine.parse("m:2", "Mpsc.x")).build();
        assertEquals(1, plain.getForkCount().get());
        assertEquals(2, plain.getWarmupIterations().get());
        assertEquals(3, plain.getMeasurementIterations().get());
    }

    @Test
    void rejectsBadOptionsNamingWhatIsNeeded() {
        IllegalArgumentException marker =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProfileLine.parse("f:1", "X impl=a @targets"));
        assertEquals(
                "f:1: unknown marker @targets; the only marker is @target", marker.getMessage());
        IllegalArgumentException zero =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProfileLine.parse("f:2", "X forks=0"));
        assertEquals("f:2: forks= needs a whole number of at least 1 but got 0", zero.getMessage());
        IllegalArgumentException word =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProfileLine.parse("f:3", "X iterations=five"));
        assertEquals(
                "f:3: iterations= needs a whole number of at least 1 but got five",
                word.getMessage());
        IllegalArgumentException twice =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProfileLine.parse("f:4", "X warmups=1 warmups=2"));
        assertEquals("f:4: warmups= is given twice", twice.getMessage());
        IllegalArgumentException first =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProfileLine.parse("f:5", "@target X"));
        assertTrue(
                first.getMessage()
                        .startsWith("f:5: a profile line starts with the benchmark regex"),
                first.getMessage());
    }

    @Test
    void expandsIntoTheGroupsResultsWillHave() {
        ProfileLine l = ProfileLine.parse("m:1", "X impl=a,b producers=1,4");
        Map<String, String[]> defaults = new LinkedHashMap<>();
        defaults.put("producers", new String[] {"1", "2", "4"});
        defaults.put("impl", new String[] {"a", "b", "c"});
        defaults.put("capacity", new String[] {"1024"});
        assertEquals(
                Map.of(
                        "M.x capacity=1024 producers=1", Set.of("a", "b"),
                        "M.x capacity=1024 producers=4", Set.of("a", "b")),
                l.groups("M.x", defaults));
        assertEquals(
                List.of("M.x capacity=1024 producers=1", "M.x capacity=1024 producers=4"),
                List.copyOf(l.groups("M.x", defaults).keySet()),
                "parameters sorted by name, as Result.group() has them");
        assertEquals(
                Map.of("M.y", Set.of("tributary")),
                ProfileLine.parse("m:2", "Y").groups("M.y", Map.of()),
                "a benchmark without impl is Tributary");
    }

    @Test
    void readsEveryProfileFileInNameOrderAndFilters(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.profile"), "B.y impl=tributary\n");
        Files.writeString(dir.resolve("a.profile"), "# header\nA.x\n\nA.z jdk=21\n");
        Files.writeString(dir.resolve("notes.txt"), "Ignored.q\n");
        List<ProfileLine> all = RunProfile.readProfiles(dir, null);
        assertEquals(List.of("A.x", "A.z", "B.y"), all.stream().map(ProfileLine::include).toList());
        assertEquals("a.profile:4", all.get(1).source());
        List<ProfileLine> some = RunProfile.readProfiles(dir, Pattern.compile("jdk"));
        assertEquals(List.of("A.z"), some.stream().map(ProfileLine::include).toList());
        IllegalArgumentException missing =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> RunProfile.readProfiles(dir.resolve("none"), null));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        IllegalArgumentException noFile =
                assertThrows(
                        IllegalArgumentException.class, () -> RunProfile.readProfiles(empty, null));
        assertTrue(noFile.getMessage().startsWith("no *.profile file in"), noFile.getMessage());
    }
}
