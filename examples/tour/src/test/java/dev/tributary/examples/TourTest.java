package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TourTest {

    @Test
    void theTourRunsEveryExamplePrintsItsSectionAndEachSucceeds() {
        Narrator out = Narrator.quiet();
        long start = System.nanoTime();

        List<Tour.Report> reports = Tour.run(out);

        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(seconds < 30, "the tour took " + seconds + " s");
        List<Tour.Stop> stops = Tour.stops();
        assertEquals(13, stops.size());
        assertEquals(stops.size(), reports.size());
        List<String> lines = out.lines();
        for (int i = 0; i < stops.size(); i++) {
            Tour.Stop stop = stops.get(i);
            Tour.Report report = reports.get(i);
            assertEquals(stop.name(), report.stop().name());
            assertNull(report.failure(), stop.name());
            assertTrue(report.succeeded(), stop.name());
            String heading = "[" + (i + 1) + "/13] " + stop.primitive() + " (" + stop.name() + ")";
            int at = indexOfPrefix(lines, heading);
            assertTrue(at >= 0, "no section " + heading + " in " + lines);
            int next =
                    i + 1 < stops.size()
                            ? indexOfPrefix(lines, "[" + (i + 2) + "/13]")
                            : lines.size() - 1;
            assertTrue(next - at >= 3, "a few lines of narrative for " + stop.name());
            assertEquals("  -> ok", lines.get(next - 1), stop.name());
        }
        assertTrue(
                lines.get(lines.size() - 1).startsWith("13 of 13 examples succeeded"),
                lines.get(lines.size() - 1));
    }

    @Test
    void everyStopNamesAClassOfThisPackageWithARunMethod() throws Exception {
        for (Tour.Stop stop : Tour.stops()) {
            Class<?> c = Class.forName("dev.tributary.examples." + stop.name());

            assertEquals(Narrator.class, c.getMethod("run", Narrator.class).getParameterTypes()[0]);
        }
    }

    private static int indexOfPrefix(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
