package dev.minibert.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code .minibert.json}: the proof that minibert made a folder, what kind it is, and which of its entries minibert
 * wrote. Only those entries are ever replaced or deleted; anything else in the folder belongs to the user.
 *
 * @param files      run-level entries (files or folders) minibert writes here, e.g. {@code metrics.jsonl}, {@code checkpoints}
 * @param modelFiles the model files last swapped in by {@link ModelDirectory#save}, replaced as one set
 */
public record OutputMarker(String kind, List<String> files, List<String> modelFiles) {
    public static final String FILE = ".minibert.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public OutputMarker {
        files = List.copyOf(files);
        modelFiles = List.copyOf(modelFiles);
        for (String name : concat(files, modelFiles)) {
            requirePlainName(name);
        }
    }

    /** This marker naming {@code more} entries too. */
    public OutputMarker withFiles(List<String> more) {
        Set<String> all = new LinkedHashSet<>(files);
        all.addAll(more);
        return new OutputMarker(kind, new ArrayList<>(all), modelFiles);
    }

    /** Every entry minibert wrote here, the marker itself excluded. */
    public List<String> allFiles() {
        return concat(files, modelFiles);
    }

    /** The folder's marker, or null when it has none. */
    public static OutputMarker read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (root == null || !root.path("kind").isTextual()) {
                throw new IOException(file + ": not a minibert folder marker (no \"kind\")");
            }
            return new OutputMarker(root.get("kind").asText(), strings(file, root, "files"),
                    strings(file, root, "model_files"));
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the marker into {@code dir} atomically. */
    public void write(Path dir) throws IOException {
        AtomicFiles.write(dir.resolve(FILE), toJson());
    }

    byte[] toJson() throws JsonProcessingException {
        ObjectNode root = JSON.createObjectNode();
        root.put("written_by", "minibert");
        root.put("kind", kind);
        ArrayNode f = root.putArray("files");
        files.forEach(f::add);
        ArrayNode m = root.putArray("model_files");
        modelFiles.forEach(m::add);
        return (root.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> strings(Path file, JsonNode root, String field) throws IOException {
        JsonNode node = root.path(field);
        if (node.isMissingNode()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new IOException(file + ": \"" + field + "\" must hold file names, got " + n);
            }
            out.add(n.asText());
        }
        return out;
    }

    /** A name directly inside the folder: a marker can never point minibert outside it. */
    static String requirePlainName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("\"" + name + "\" is not a plain file name");
        }
        return name;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
