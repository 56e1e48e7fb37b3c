package dev.tributary.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for JMH's result files, so the report generator needs nothing beyond the JDK.
 * Objects become {@code LinkedHashMap<String, Object>} (key order kept), arrays {@code
 * List<Object>}, numbers {@code Double}, and {@code true}/{@code false}/{@code null} themselves.
 * JMH writes {@code "NaN"} as a string; {@link #number(Object)} reads either form.
 */
public final class Json {

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON document.
     *
     * @param text the document
     * @return the value it holds
     * @throws IllegalArgumentException if the text is not JSON, naming the offset and what was
     *     expected there
     */
    public static Object parse(String text) {
        Json p = new Json(text);
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("the end of the document");
        }
        return v;
    }

    /**
     * Reads a JMH number, which may be a JSON number or a string such as {@code "NaN"}.
     *
     * @param v a parsed value
     * @return its numeric value; NaN for null
     * @throws IllegalArgumentException if {@code v} is neither a number nor a numeric string
     */
    public static double number(Object v) {
        if (v == null) {
            return Double.NaN;
        }
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number but got \"" + s + "\"", e);
            }
        }
        throw new IllegalArgumentException("expected a number but got " + v);
    }

    /**
     * Casts a parsed value to an object.
     *
     * @param v a parsed value
     * @param what what it is, for the message
     * @return the object's members
     * @throws IllegalArgumentException if {@code v} is not an object
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object v, String what) {
        if (v instanceof Map<?, ?>) {
            return (Map<String, Object>) v;
        }
        throw new IllegalArgumentException(what + " must be a JSON object but was " + v);
    }

    /**
     * Casts a parsed value to an array.
     *
     * @param v a parsed value
     * @param what what it is, for the message
     * @return the array's elements
     * @throws IllegalArgumentException if {@code v} is not an array
     */
    @SuppressWarnings("unchecked")
    public static List<Object> array(Object v, String what) {
        if (v instanceof List<?>) {
            return (List<Object>) v;
        }
        throw new IllegalArgumentException(what + " must be a JSON array but was " + v);
    }

    private Object value() {
        skipSpace();
        if (pos >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return obj();
            case '[':
                return arr();
            case '"':
                return str();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return num();
                }
                throw error("a value");
        }
    }

    private Map<String, Object> obj() {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        for (; ; ) {
            skipSpace();
            if (peek() != '"') {
                throw error("a member name");
            }
            String k = str();
            skipSpace();
            expect(':');
            m.put(k, value());
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                pos--;
                throw error("',' or '}'");
            }
        }
    }

    private List<Object> arr() {
        List<Object> l = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return l;
        }
        for (; ; ) {
            l.add(value());
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') {
                return l;
            }
            if (c != ',') {
                pos--;
                throw error("',' or ']'");
            }
        }
    }

    private String str() {
        StringBuilder b = new StringBuilder();
        pos++;
        for (; ; ) {
            if (pos >= text.length()) {
                throw error("a closing '\"'");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("an escape");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("four hex digits");
                    }
                    b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                default -> b.append(e); // \" \\ \/
            }
        }
    }

    private Double num() {
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        try {
            return Double.valueOf(text.substring(start, pos));
        } catch (NumberFormatException e) {
            pos = start;
            throw error("a number");
        }
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, pos)) {
            throw error("a value");
        }
        pos += word.length();
        return v;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String expected) {
        String found =
                pos < text.length()
                        ? "'" + text.substring(pos, Math.min(text.length(), pos + 12)) + "'"
                        : "the end of the text";
        return new IllegalArgumentException(
                "JSON: expected " + expected + " at offset " + pos + " but found " + found);
    }
}
