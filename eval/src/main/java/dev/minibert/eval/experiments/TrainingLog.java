package dev.minibert.eval.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training steps of a run's {@code metrics.jsonl} (rows with a loss; held-out evaluation rows are left out).
 * A skipped (non-finite) step has a NaN loss and no per-layer numbers: its series values are NaN.
 */
public final class TrainingLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JsonNode> rows;

    private TrainingLog(List<JsonNode> rows) {
        this.rows = rows;
    }

    /** Reads {@code runDir/metrics.jsonl}; a malformed line names the file and line. */
    public static TrainingLog read(Path runDir) throws IOException {
        Path file = runDir.resolve("metrics.jsonl");
        List<JsonNode> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode row;
            try {
                row = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IOException(file + ":" + (i + 1) + ": not a JSON object: " + e.getMessage(), e);
            }
            if (row.has("loss") || row.has("skipped")) {
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            throw new IOException(file + ": no training steps logged");
        }
        return new TrainingLog(rows);
    }

    public int size() {
        return rows.size();
    }

    public double[] steps() {
        return series(r -> r.path("step"));
    }

    /** The loss per step; NaN where the step was skipped as non-finite. */
    public double[] loss() {
        return series(r -> r.has("skipped") ? null : r.path("loss"));
    }

    /** Whether each step was skipped by the loop's non-finite guard. */
    public boolean[] skipped() {
        boolean[] out = new boolean[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i).has("skipped");
        }
        return out;
    }

    /** The weight-gradient norm of a group ({@code layer.3}, {@code embeddings}) per step, before clipping. */
    public double[] gradNorm(String group) {
        return series(r -> r.path("grad_norms").get(group));
    }

    /** The mean gamma of a LayerNorm (its weight's HF name) per step. */
    public double[] gammaMean(String layerNormWeight) {
        return series(r -> r.path("layer_norm_gamma").path(layerNormWeight).get("mean"));
    }

    /** The names of the LayerNorm weights logged in the first step that has them. */
    public List<String> layerNorms() {
        for (JsonNode r : rows) {
            if (r.has("layer_norm_gamma")) {
                List<String> names = new ArrayList<>();
                r.get("layer_norm_gamma").fieldNames().forEachRemaining(names::add);
                return names;
            }
        }
        return List.of();
    }

    /** The last logged value of an object-valued field per group, e.g. finetuning's relative_weight_change. */
    public JsonNode last(String field) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (rows.get(i).has(field)) {
                return rows.get(i).get(field);
            }
        }
        throw new IllegalArgumentException("no step logged '" + field + "'");
    }

    private double[] series(java.util.function.Function<JsonNode, JsonNode> field) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = field.apply(rows.get(i));
            out[i] = n == null || !n.isNumber() ? Double.NaN : n.asDouble();
        }
        return out;
    }
}
