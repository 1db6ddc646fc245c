package dev.minibert.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's {@code metrics.jsonl} as the {@code TrainingLoop} writes it: one JSON object per logged step (and one per
 * held-out evaluation), each with a {@code step}. Jackson writes non-finite numbers as the strings "NaN" and
 * "Infinity", so values are read back from either form.
 */
public final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final List<JsonNode> rows;

    private MetricsLog(Path file, List<JsonNode> rows) {
        this.file = file;
        this.rows = rows;
    }

    /** Reads every row; a line that is not a JSON object with a numeric step is an error naming file and line. */
    public static MetricsLog read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such metrics file");
        }
        List<JsonNode> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode row;
            try {
                row = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new IOException(file + ":" + (i + 1) + ": not JSON: " + e.getOriginalMessage(), e);
            }
            if (!row.isObject() || !row.path("step").isIntegralNumber()) {
                throw new IOException(file + ":" + (i + 1) + ": not a metrics row (a JSON object with an integer step)");
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new IOException(file + ": no metrics rows");
        }
        return new MetricsLog(file, List.copyOf(rows));
    }

    public Path file() {
        return file;
    }

    public List<JsonNode> rows() {
        return rows;
    }

    public boolean has(String key) {
        return rows.stream().anyMatch(r -> r.has(key));
    }

    /** {@code key} against step over the rows that have it. */
    public Series series(String key) {
        List<double[]> points = new ArrayList<>();
        for (JsonNode r : rows) {
            if (r.has(key)) {
                points.add(new double[] {r.get("step").asDouble(), number(r.get(key))});
            }
        }
        return toSeries(key, points);
    }

    /**
     * For a key whose value is an object of numbers ({@code grad_norms}, {@code relative_weight_change}): one series
     * per member, in the order members first appear.
     */
    public Map<String, Series> memberSeries(String key) {
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (JsonNode r : rows) {
            JsonNode obj = r.get(key);
            if (obj != null && obj.isObject()) {
                double step = r.get("step").asDouble();
                obj.fields().forEachRemaining(e -> points.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(new double[] {step, number(e.getValue())}));
            }
        }
        Map<String, Series> out = new LinkedHashMap<>();
        points.forEach((name, p) -> out.put(name, toSeries(name, p)));
        return out;
    }

    /** The rows that have {@code key}, in file order. */
    public List<JsonNode> rowsWith(String key) {
        return rows.stream().filter(r -> r.has(key)).toList();
    }

    /** A number written by Jackson: numeric, or "NaN" / "Infinity" / "-Infinity" as a string; anything else is NaN. */
    public static double number(JsonNode v) {
        if (v == null) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        return switch (v.asText()) {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.NaN;
        };
    }

    private static Series toSeries(String name, List<double[]> points) {
        double[] x = new double[points.size()];
        double[] y = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
        }
        return new Series(name, x, y);
    }
}
