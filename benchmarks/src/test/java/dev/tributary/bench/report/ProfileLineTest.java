package dev.tributary.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
                "f:4: expected key=v1,v2,... after the regex but got impl=", bare.getMessage());
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
