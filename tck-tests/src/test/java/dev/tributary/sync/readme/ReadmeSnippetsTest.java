package dev.tributary.sync.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of the root {@code README.md} against this module's test
 * class path (sync-core, sync-reactor, sync-rxjava, Reactor, RxJava), so the README cannot show
 * code that does not compile. A failure names the README line of each failing block and the javac
 * diagnostic, with its line in the README.
 *
 * <p>The convention (also stated in an HTML comment at the top of the README):
 *
 * <ul>
 *   <li>A block is <b>statements</b> by default: it becomes the body of {@code void snippet()} —
 *       with no {@code throws} clause, so a blocking call's checked {@code InterruptedException}
 *       must be handled in the block, as a reader's own code must. Local records and classes are
 *       allowed.
 *   <li>{@code <!-- snippet: members -->} on the line before the block: the block is the body of a
 *       class (fields, methods, nested types).
 *   <li>{@code <!-- snippet: file -->}: the block is a whole compilation unit (its own imports and
 *       top-level types; it gets no default imports).
 *   <li>{@code <!-- snippet: skip REASON -->}: not compiled; the reason is required.
 *   <li>In statements and members blocks, leading {@code import} lines (static ones too) are
 *       imports of the unit; the default imports are {@link #DEFAULT_IMPORTS}. Every other
 *       identifier a block uses must be declared in the block itself, so that a reader can copy it.
 * </ul>
 */
class ReadmeSnippetsTest {

    /** The imports every statements or members block gets (a block adds its own on top). */
    static final List<String> DEFAULT_IMPORTS =
            List.of(
                    "dev.tributary.sync.*",
                    // Wins over java.util.concurrent.Semaphore, which the on-demand import below
                    // would make ambiguous.
                    "dev.tributary.sync.Semaphore",
                    "dev.tributary.sync.reactor.*",
                    "dev.tributary.sync.rxjava3.*",
                    "reactor.core.publisher.*",
                    "io.reactivex.rxjava3.core.*",
                    "java.util.*",
                    "java.util.concurrent.*",
                    "java.time.*");

    private static final Pattern FENCE_OPEN = Pattern.compile("^```java\\s*$");
    private static final Pattern FENCE_CLOSE = Pattern.compile("^```\\s*$");
    private static final Pattern MARKER =
            Pattern.compile("^<!--\\s*snippet:\\s*(\\w+)\\s*(.*?)\\s*-->\\s*$");
    private static final Pattern IMPORT =
            Pattern.compile("^\\s*import\\s+(static\\s+)?[\\w.*]+;.*$");

    enum Kind {
        STATEMENTS,
        MEMBERS,
        FILE,
        SKIP
    }

    /** One fenced block: its kind, the README line of its first code line, its lines. */
    record Block(Kind kind, int firstLine, List<String> lines) {}

    /** A block turned into a compilation unit; README line = unit line + {@code lineOffset}. */
    record Unit(Block block, String className, String source, int lineOffset) {}

    @Test
    void everyJavaBlockOfTheReadmeCompiles(@TempDir Path out) throws IOException {
        Path readme = readme();
        List<Block> blocks = extract(Files.readAllLines(readme, StandardCharsets.UTF_8));
        assertTrue(
                blocks.stream().filter(b -> b.kind() != Kind.SKIP).count() >= 4,
                () ->
                        "expected the README's java blocks, found "
                                + blocks.size()
                                + " in "
                                + readme);
        List<String> failures = compile(blocks, out);
        if (!failures.isEmpty()) {
            fail(
                    failures.size()
                            + " README.md java block(s) do not compile (convention: the javadoc of"
                            + " ReadmeSnippetsTest, or the comment at the top of README.md):\n"
                            + String.join("\n", failures));
        }
    }

    @Test
    void aBrokenBlockIsReportedWithItsReadmeLineAndTheDiagnostic(@TempDir Path out) {
        List<String> markdown =
                List.of(
                        "# Title", // 1
                        "```java", // 2
                        "Mpsc.Channel<String> ch = Mpsc.channel(4);", // 3
                        "ch.receiver().blockingRecv();", // 4: InterruptedException not handled
                        "```", // 5
                        "<!-- snippet: members -->", // 6
                        "```java", // 7
                        "int twice(int x) { return 2 * x; }", // 8
                        "```", // 9
                        "<!-- snippet: skip pseudo-code -->", // 10
                        "```java", // 11
                        "this is not java", // 12
                        "```"); // 13
        List<Block> blocks = extract(markdown);
        assertEquals(
                List.of(Kind.STATEMENTS, Kind.MEMBERS, Kind.SKIP),
                blocks.stream().map(Block::kind).toList());
        List<String> failures = compile(blocks, out);
        assertEquals(1, failures.size(), () -> String.join("\n", failures));
        String failure = failures.get(0);
        assertTrue(failure.startsWith("README.md block at line 3 (statements)"), failure);
        assertTrue(failure.contains("README.md:4:"), failure);
        assertTrue(failure.contains("InterruptedException"), failure);
    }

    @Test
    void aSkipWithoutReasonAndAnUnknownKindAreRejected() {
        IllegalArgumentException noReason =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class,
                        () -> extract(List.of("<!-- snippet: skip -->", "```java", "x", "```")));
        assertTrue(noReason.getMessage().contains("line 1"), noReason.getMessage());
        IllegalArgumentException unknown =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class,
                        () -> extract(List.of("<!-- snippet: class -->", "```java", "x", "```")));
        assertTrue(unknown.getMessage().contains("statements, members, file or skip"));
        IllegalArgumentException unclosed =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class, () -> extract(List.of("```java", "x")));
        assertTrue(unclosed.getMessage().contains("line 1"), unclosed.getMessage());
    }

    private static Path readme() {
        // Surefire runs in the module's directory; the README is the repository root's.
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("README.md");
            if (Files.isRegularFile(candidate) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "README.md next to mvnw required in " + here + " or a parent, but none was found");
    }

    /** Splits markdown into its {@code ```java} blocks, each with the kind its marker gives. */
    static List<Block> extract(List<String> markdown) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < markdown.size(); i++) {
            if (!FENCE_OPEN.matcher(markdown.get(i)).matches()) {
                continue;
            }
            int open = i;
            Kind kind = Kind.STATEMENTS;
            if (open > 0) {
                Matcher m = MARKER.matcher(markdown.get(open - 1).trim());
                if (m.matches()) {
                    kind = kindOf(m.group(1), m.group(2), open);
                }
            }
            List<String> lines = new ArrayList<>();
            i++;
            while (i < markdown.size() && !FENCE_CLOSE.matcher(markdown.get(i)).matches()) {
                lines.add(markdown.get(i));
                i++;
            }
            if (i == markdown.size()) {
                throw new IllegalArgumentException(
                        "```java block opened at line " + (open + 1) + " is never closed");
            }
            blocks.add(new Block(kind, open + 2, List.copyOf(lines)));
        }
        return blocks;
    }

    private static Kind kindOf(String name, String reason, int markerLine) {
        Kind kind;
        try {
            kind = Kind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "snippet marker at line "
                            + markerLine
                            + ": kind statements, members, file or skip required but it was '"
                            + name
                            + "'",
                    e);
        }
        if (kind == Kind.SKIP && reason.isEmpty()) {
            throw new IllegalArgumentException(
                    "snippet marker at line " + markerLine + ": skip needs a reason");
        }
        return kind;
    }

    /** Wraps a block into a compilation unit according to its kind. */
    static Unit wrap(Block block) {
        String className = "ReadmeSnippetAtLine" + block.firstLine();
        if (block.kind() == Kind.FILE) {
            return new Unit(
                    block,
                    className,
                    String.join("\n", block.lines()) + "\n",
                    block.firstLine() - 1);
        }
        StringBuilder src = new StringBuilder();
        int unitLines = 0;
        for (String imp : DEFAULT_IMPORTS) {
            src.append("import ").append(imp).append(";\n");
            unitLines++;
        }
        // The block's own leading imports, line for line, so line numbers stay aligned.
        int body = 0;
        List<String> lines = block.lines();
        while (body < lines.size()
                && (IMPORT.matcher(lines.get(body)).matches()
                        || lines.get(body).isBlank()
                        || lines.get(body).trim().startsWith("//"))) {
            src.append(lines.get(body)).append('\n');
            body++;
        }
        src.append("class ").append(className).append(" {");
        if (block.kind() == Kind.STATEMENTS) {
            src.append(" void snippet() {");
        }
        src.append('\n');
        unitLines++;
        int lineOffset = block.firstLine() - 1 - unitLines;
        for (int i = body; i < lines.size(); i++) {
            src.append(lines.get(i)).append('\n');
        }
        src.append(block.kind() == Kind.STATEMENTS ? "}}\n" : "}\n");
        return new Unit(block, className, src.toString(), lineOffset);
    }

    /** Compiles every non-skipped block; returns one message per failing block. */
    static List<String> compile(List<Block> blocks, Path out) {
        List<Unit> units = new ArrayList<>();
        for (Block b : blocks) {
            if (b.kind() != Kind.SKIP) {
                units.add(wrap(b));
            }
        }
        List<String> failures = new ArrayList<>();
        // One task per block: an error in one cannot hide or cause an error in another.
        for (Unit unit : units) {
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            boolean ok = compileOne(unit, out, diagnostics);
            StringBuilder message = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    message.append("\n    README.md:")
                            .append(d.getLineNumber() + unit.lineOffset())
                            .append(": ")
                            .append(d.getMessage(Locale.ROOT).replace("\n", "\n      "));
                    long line = d.getLineNumber();
                    if (line >= 1) {
                        unit.source()
                                .lines()
                                .skip(line - 1)
                                .findFirst()
                                .ifPresent(
                                        text -> message.append("\n      | ").append(text.strip()));
                    }
                }
            }
            if (!ok) {
                failures.add(
                        "README.md block at line "
                                + unit.block().firstLine()
                                + " ("
                                + unit.block().kind().name().toLowerCase(Locale.ROOT)
                                + "):"
                                + message);
            }
        }
        return failures;
    }

    private static boolean compileOne(
            Unit unit, Path out, DiagnosticCollector<JavaFileObject> diagnostics) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertFalse(javac == null, "a JDK (javax.tools compiler) is required to check the README");
        String classPath = System.getProperty("surefire.test.class.path");
        if (classPath == null || classPath.isBlank()) {
            classPath = System.getProperty("java.class.path");
        }
        JavaFileObject source =
                new SimpleJavaFileObject(
                        URI.create("string:///" + unit.className() + ".java"),
                        JavaFileObject.Kind.SOURCE) {
                    @Override
                    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                        return unit.source();
                    }
                };
        try (StandardJavaFileManager files =
                javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options =
                    List.of(
                            "--release",
                            "17",
                            "-proc:none",
                            "-classpath",
                            classPath,
                            "-d",
                            out.toString());
            return javac.getTask(null, files, diagnostics, options, null, List.of(source)).call();
        } catch (IOException e) {
            throw new IllegalStateException("closing the compiler's file manager failed", e);
        }
    }
}
