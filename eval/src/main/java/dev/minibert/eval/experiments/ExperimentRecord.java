package dev.minibert.eval.experiments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.minibert.model.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code experiment.json}: which experiment ran, its configuration, the effect the verdict reads, the PyTorch peer's
 * agreement (or why it did not run), the verdict, every
 * quantity as mean and 95% interval over the seeds (with the per-seed values), and the provenance of the figures.
 */
public record ExperimentRecord(String name, String claim, String command, Map<String, Object> config,
                               Experiment.Effect effect, String budgetNote, String peer, Verdict verdict,
                               Map<String, Object> numbers, Map<String, Object> provenance) {
    public static final String FILE = "experiment.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path dir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("claim", claim);
        m.put("command", command);
        m.put("config", config);
        m.put("effect", effect.key());
        m.put("effect_meaning", effect.meaning());
        m.put("budget_note", budgetNote);
        m.put("peer", peer);
        m.put("verdict", verdict.status().label());
        m.put("summary", verdict.summary());
        m.put("numbers", numbers);
        m.put("provenance", provenance);
        AtomicFiles.write(dir.resolve(FILE), (JSON.writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Reads {@code dir/experiment.json}; a missing or malformed field names the file. */
    public static ExperimentRecord read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": no " + FILE + " (not an experiment folder)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        TypeReference<Map<String, Object>> map = new TypeReference<>() { };
        if (!root.path("provenance").path("seeds").isArray() || !root.path("numbers").isObject()) {
            throw new IOException(file + ": no provenance.seeds or numbers (written before experiments ran over "
                    + "seeds? run it again)");
        }
        try {
            return new ExperimentRecord(text(root, "name", file), text(root, "claim", file), text(root, "command", file),
                    JSON.convertValue(root.path("config"), map),
                    new Experiment.Effect(text(root, "effect", file), text(root, "effect_meaning", file)),
                    text(root, "budget_note", file), text(root, "peer", file),
                    new Verdict(Verdict.Status.ofLabel(text(root, "verdict", file)), text(root, "summary", file)),
                    JSON.convertValue(root.path("numbers"), map), JSON.convertValue(root.path("provenance"), map));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode root, String field, Path file) throws IOException {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new IOException(file + ": missing text field '" + field + "'");
        }
        return n.asText();
    }
}
