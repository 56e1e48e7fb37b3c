package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.examples.WatchConfigFile.Config;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WatchConfigFileTest {

    @Test
    void everyWorkerAppliesEveryChangeOfTheFileInOrder() throws Exception {
        for (int round = 0; round < 5; round++) {
            WatchConfigFile.Result r = WatchConfigFile.run(Narrator.quiet());

            List<Config> expected = List.of(new Config("bonjour", 2), new Config("bonjour", 8));
            assertEquals(expected, r.changes());
            assertEquals(Set.of("http", "cache"), r.appliedBy().keySet());
            assertEquals(expected, r.appliedBy().get("http"), "round " + round);
            assertEquals(expected, r.appliedBy().get("cache"), "round " + round);
            assertTrue(r.succeeded());
        }
    }

    @Test
    void aConfigSurvivesTheRoundTripThroughTheFileFormat() {
        Config c = new Config("hi there", 12);

        assertEquals(c, Config.parse(c.toFileText()));
    }

    @Test
    void aFileWithoutAKeyIsRejectedNamingWhatWasRequired() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Config.parse("greeting=x\n"));

        assertTrue(e.getMessage().contains("greeting and poolSize required"), e.getMessage());
    }

    @Test
    void aPoolSizeThatIsNotAPositiveNumberIsRejectedWithTheValueGiven() {
        IllegalArgumentException notANumber =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Config.parse("greeting=x\npoolSize=many\n"));
        IllegalArgumentException zero =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Config.parse("greeting=x\npoolSize=0\n"));

        assertEquals("poolSize > 0 required but it was \"many\"", notANumber.getMessage());
        assertEquals("poolSize > 0 required but it was \"0\"", zero.getMessage());
    }
}
