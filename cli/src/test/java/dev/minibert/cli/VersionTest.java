package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The version is written once, in the parent pom: {@code --version} and {@code scripts/version.sh} (the launcher's
 * and the scripts' source) give it, and every copy still written out in the repository (the docs' jar names and
 * dependency snippet) agrees with it.
 */
class VersionTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** A version of ours: a jar of one of the modules, a SNAPSHOT, a {@code <version>} in the docs' snippets. */
    private static final List<Pattern> WRITTEN = List.of(
            Pattern.compile("minibert-[a-z]+(?:-[a-z]+)*-(\\d+\\.\\d+\\.\\d+(?:-SNAPSHOT)?)(?:-[a-z]+)?\\.jar"),
            Pattern.compile("(?<![\\w.])(\\d+\\.\\d+\\.\\d+-SNAPSHOT)\\b"),
            Pattern.compile("<version>([^<$]+)</version>"));
    private static final Set<String> TEXT = Set.of("md", "sh", "java", "py", "txt", "properties", "yml", "yaml", "json");
    private static final Set<String> SKIPPED = Set.of("target", "node_modules", "runs", "models", ".git");

    /** The parent pom's own {@code <version>}. */
    static String pomVersion() {
        try {
            Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(ROOT.resolve("pom.xml").toFile()).getDocumentElement();
            for (Node n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals("version")) {
                    return e.getTextContent().trim();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(ROOT.resolve("pom.xml") + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException(ROOT.resolve("pom.xml") + " has no <version>");
    }

    @Test
    void versionPrintsThePomsVersion() {
        CliRun run = CliRun.of("", "--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout().strip()).isEqualTo("minibert " + pomVersion());
    }

    @Test
    void theScriptsReadThePomsVersion() throws Exception {
        Process p = new ProcessBuilder("bash", ROOT.resolve("scripts/version.sh").toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out.strip()).isEqualTo(pomVersion());
    }

    @Test
    void everyVersionStillWrittenInTheRepositoryIsThePoms() throws IOException {
        String version = pomVersion();
        List<String> found = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Path file : textFiles()) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                for (Pattern pattern : WRITTEN) {
                    Matcher m = pattern.matcher(lines.get(i));
                    while (m.find()) {
                        String where = ROOT.relativize(file) + ":" + (i + 1);
                        found.add(where);
                        if (!m.group(1).equals(version)) {
                            wrong.add(where + ": " + m.group() + ", not " + version);
                        }
                    }
                }
            }
        }
        assertThat(found).as("the docs' jar names and snippet are found").anyMatch(w -> w.startsWith("docs/library.md"))
                .anyMatch(w -> w.startsWith("docs/spark.md"));
        assertThat(wrong).isEmpty();
    }

    /** The repository's text files, poms aside (Maven itself refuses a module whose parent version differs). */
    private static List<Path> textFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                return !dir.equals(ROOT) && (SKIPPED.contains(name) || name.startsWith(".") && !name.equals(".ci"))
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = file.getFileName().toString();
                String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
                if (attrs.isRegularFile() && attrs.size() < 1_000_000
                        && (TEXT.contains(ext) || file.getParent().equals(ROOT) && name.equals("minibert"))) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }
}
