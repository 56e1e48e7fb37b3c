package dev.tributary.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Map<String, Object> m =
                Json.object(
                        Json.parse(
                                "{ \"a\" : [1, -2.5e3, true, false, null],"
                                        + " \"b\" : \"x\\\"y\\\\z\\u00e9\\n\", \"c\" : {} , \"d\": []}"),
                        "doc");
        assertEquals(List.of("a", "b", "c", "d"), List.copyOf(m.keySet()), "key order kept");
        List<Object> a = Json.array(m.get("a"), "a");
        assertEquals(1.0, a.get(0));
        assertEquals(-2500.0, a.get(1));
        assertEquals(Boolean.TRUE, a.get(2));
        assertEquals(Boolean.FALSE, a.get(3));
        assertNull(a.get(4));
        assertEquals("x\"y\\zé\n", m.get("b"));
        assertEquals(Map.of(), m.get("c"));
        assertEquals(List.of(), m.get("d"));
    }

    @Test
    void readsJmhNumbersWrittenAsStrings() {
        assertTrue(Double.isNaN(Json.number("NaN")));
        assertEquals(2.5, Json.number(2.5));
        assertTrue(Double.isNaN(Json.number(null)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Json.number("fast"));
        assertEquals("expected a number but got \"fast\"", e.getMessage());
    }

    @Test
    void rejectsMalformedTextNamingTheOffset() {
        IllegalArgumentException trailing =
                assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
        assertEquals(
                "JSON: expected the end of the document at offset 4 but found 'x'",
                trailing.getMessage());
        IllegalArgumentException open =
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1"));
        assertTrue(open.getMessage().contains("expected ',' or '}'"), open.getMessage());
        IllegalArgumentException word =
                assertThrows(IllegalArgumentException.class, () -> Json.parse("[nope]"));
        assertTrue(word.getMessage().contains("expected a value at offset 1"), word.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.object(List.of(), "x"));
        assertThrows(IllegalArgumentException.class, () -> Json.array(Map.of(), "x"));
    }
}
