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

    public Fingerprint files(String option, List<Path> paths) throws IOException {
        return put(option, identity(paths));
    }

    /** The contents of files (folders walked in name order, hidden names skipped): sha256 and size. */
    public static String identity(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                            .sorted().forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        return "sha256 " + Sha256.of(files) + ", " + bytes + " bytes in " + files.size() + " file(s)";
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
