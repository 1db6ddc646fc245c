package dev.minibert.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.io.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The value of every option that changes a run's trajectory (data identity, vocabulary, model config,
 * seed, batch, schedule, masking ...), keyed by the option's name. A checkpoint records it, and
 * {@code --resume} refuses to continue a run whose options differ, because the result would be neither
 * the old run nor a new one. The run's length is not part of it: {@code --max-steps} may grow.
 */
public final class Fingerprint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, String> values = new LinkedHashMap<>();

    public Fingerprint put(String option, Object value) {
        values.put(option, String.valueOf(value));
        return this;
    }

    /** The files' identity: the sha256 of their contents in order, and their size; null: not given. */
    public Fingerprint files(String option, List<Path> files) throws IOException {
        if (files == null) {
            return put(option, null);
        }
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        return put(option, "sha256 " + Sha256.of(files) + ", " + bytes + " bytes in " + files.size() + " file(s)");
    }

    /** A model directory's files (hidden ones, such as an interrupted write's, left out); null: not given. */
    public Fingerprint folder(String option, Path dir) throws IOException {
        if (dir == null) {
            return put(option, null);
        }
        try (Stream<Path> list = Files.list(dir)) {
            return files(option, list.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList());
        }
    }

    ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode();
        values.forEach(node::put);
        return node;
    }

    static Fingerprint fromJson(JsonNode node) {
        Fingerprint f = new Fingerprint();
        node.fields().forEachRemaining(e -> f.put(e.getKey(), e.getValue().asText()));
        return f;
    }

    /** Refuses, naming the first option whose value differs from the one recorded in {@code stateFile}. */
    void requireSameAs(Fingerprint recorded, Path stateFile) {
        List<String> options = new ArrayList<>(recorded.values.keySet());
        values.keySet().stream().filter(k -> !recorded.values.containsKey(k)).forEach(options::add);
        for (String option : options) {
            String was = recorded.values.getOrDefault(option, "(not recorded)");
            String now = values.getOrDefault(option, "(not given)");
            if (!was.equals(now)) {
                throw new IllegalArgumentException("--resume: " + option + " changed since " + stateFile + ": was "
                        + was + ", now " + now + " (it changes the training trajectory; resume with the old value "
                        + "or start a new run in another --out)");
            }
        }
    }
}
