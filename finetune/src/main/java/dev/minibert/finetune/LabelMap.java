package dev.minibert.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.BertConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Label names to class ids. Built from the training labels in sorted order (numerically when all labels are integers,
 * so "0".."10" map to themselves; otherwise by string), which unlike first-appearance order does not depend on how the
 * training file is shuffled. Stored as {@code labels.json}: {@code {"labels": ["neg", "pos"]}}.
 */
public final class LabelMap {
    /** The file a finetuned model directory keeps its labels in. */
    public static final String FILE = "labels.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> names;
    private final Map<String, Integer> ids = new HashMap<>();

    private LabelMap(List<String> names) {
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            if (ids.put(names.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate label '" + names.get(i) + "'");
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a label map needs at least one label");
        }
    }

    /** Labels in the given order: id i is names.get(i). */
    public static LabelMap of(List<String> names) {
        return new LabelMap(names);
    }

    /** The distinct labels, sorted as described in the class comment. */
    public static LabelMap build(Collection<String> labels) {
        boolean numeric = labels.stream().allMatch(l -> l.matches("-?\\d{1,18}"));
        Comparator<String> order = numeric ? Comparator.comparingLong(Long::parseLong) : Comparator.naturalOrder();
        TreeSet<String> distinct = new TreeSet<>(order);
        distinct.addAll(labels);
        return new LabelMap(new ArrayList<>(distinct));
    }

    /** The content of {@link #FILE}. */
    public Map<String, Object> toJson() {
        return Map.of("labels", names);
    }

    /** The config with HF's id2label / label2id, as a finetuned HF model directory carries them. */
    public BertConfig withLabels(BertConfig config) {
        ObjectNode id2label = JSON.createObjectNode();
        ObjectNode label2id = JSON.createObjectNode();
        for (int i = 0; i < names.size(); i++) {
            id2label.put(Integer.toString(i), names.get(i));
            label2id.put(names.get(i), i);
        }
        return config.toBuilder()
                .extra("architectures", JSON.createArrayNode().add("BertForSequenceClassification"))
                .extra("id2label", id2label).extra("label2id", label2id).build();
    }

    public int size() {
        return names.size();
    }

    /** The id of a label, or -1 if unknown. */
    public int id(String label) {
        return ids.getOrDefault(label, -1);
    }

    public String name(int id) {
        return names.get(id);
    }

    public List<String> names() {
        return names;
    }

    /** Writes the map atomically: a temporary file in the same folder, then a rename. */
    public void save(Path file) {
        ObjectNode root = JSON.createObjectNode();
        names.forEach(root.putArray("labels")::add);
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write label map " + file, e);
        }
    }

    public static LabelMap load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read label map " + file, e);
        }
        JsonNode labels = root == null ? null : root.get("labels");
        if (labels == null || !labels.isArray()) {
            throw new IllegalArgumentException(file + ": expected {\"labels\": [...]}");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode n : labels) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException(file + ": label " + n + " is not a string");
            }
            names.add(n.asText());
        }
        try {
            return new LabelMap(names);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelMap other && names.equals(other.names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return "LabelMap" + names;
    }
}
