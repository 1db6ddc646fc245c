package dev.minibert.eval.experiments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Where a figure came from: when the run ended (UTC, ISO-8601), commit, exact command, seeds, machine, wall time and
 * library versions.
 */
public record Provenance(String date, String commit, String command, List<Long> seeds, String cpu, int cores,
                         double wallSeconds, String nd4j, String java) {
    static final String UNKNOWN = "unknown";

    /** This process's provenance for a run of {@code command} over {@code seeds} that took {@code wallSeconds}. */
    public static Provenance current(String command, List<Long> seeds, double wallSeconds) {
        return new Provenance(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), gitHead(), command, seeds,
                cpuModel(), Runtime.getRuntime().availableProcessors(), wallSeconds, nd4jVersion(),
                System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", date);
        m.put("commit", commit);
        m.put("command", command);
        m.put("seeds", seeds);
        m.put("cpu", cpu);
        m.put("cores", cores);
        m.put("wall_seconds", wallSeconds);
        m.put("nd4j", nd4j);
        m.put("java", java);
        return m;
    }

    /** {@code git rev-parse HEAD} in the working directory, or "unknown" outside a checkout or without git. */
    static String gitHead() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            boolean done = git.waitFor(10, TimeUnit.SECONDS);
            return done && git.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : UNKNOWN;
        } catch (IOException e) {
            return UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        }
    }

    /** The first "model name" of /proc/cpuinfo (Linux), else the JVM's os.arch. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    /** ND4J's version from its jar's Maven metadata. */
    static String nd4jVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", UNKNOWN);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }
}
