package dev.tributary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class NarratorTest {

    @Test
    void keepsHeadingsAndIndentedLinesInOrderAndPrintsThem() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Narrator out = Narrator.printingTo(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        out.heading("[%d] %s", 1, "title");
        out.say("sent %,d", 1234);

        assertEquals(List.of("[1] title", "  sent 1,234"), out.lines());
        assertEquals(
                "[1] title" + System.lineSeparator() + "  sent 1,234" + System.lineSeparator(),
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aNullStreamIsRefusedWithItsName() {
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> Narrator.printingTo(null));

        assertEquals("out must not be null", e.getMessage());
    }
}
