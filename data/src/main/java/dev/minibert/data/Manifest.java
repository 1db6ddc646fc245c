package dev.minibert.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code MANIFEST.json} of a data cache: for every part that was built, the recipe that built it, the packages it
 * came from (name, version, file, size, sha256) and each file it produced (size, sha256, line or row counts),
 * paths relative to the cache. A part whose recipe matches and whose files all still match is up to date.
 */
public final class Manifest {
    public static final String FILE = "MANIFEST.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode root;

    private Manifest(ObjectNode root) {
        this.root = root;
    }

    /** The cache's manifest; an absent one is empty, an unreadable one is an error naming the file. */
    public static Manifest read(Path cache) {
        Path file = cache.resolve(FILE);
        if (!Files.exists(file)) {
            return new Manifest(JSON.createObjectNode().put("format", 1));
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (!(node instanceof ObjectNode o)) {
                throw new FetchException(file + ": not a JSON object; delete it to rebuild the cache");
            }
            return new Manifest(o);
        } catch (IOException e) {
            throw new FetchException(file + ": unreadable (" + e.getMessage().lines().findFirst().orElse("")
                    + "); delete it to rebuild the cache");
        }
    }

    /** The entry of a part, or a missing node. */
    public JsonNode part(String name) {
        return root.path("parts").path(name);
    }

    /** Whether {@code part} was built with this recipe and every file it lists is still there, unchanged. */
    public boolean isCurrent(Path cache, String part, String recipe) {
        JsonNode entry = part(part);
        if (!recipe.equals(entry.path("recipe").asText(null)) || !entry.path("files").isObject()
                || entry.path("files").isEmpty()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = entry.path("files").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            Path file = cache.resolve(f.getKey());
            if (!Files.isRegularFile(file) || Hashing.size(file) != f.getValue().path("size").asLong(-1)
                    || !Hashing.sha256(file).equals(f.getValue().path("sha256").asText())) {
                return false;
            }
        }
        return true;
    }

    /** A fresh entry for {@code part}, replacing the old one. */
    public ObjectNode newPart(String part, String recipe) {
        ObjectNode parts = root.has("parts") ? (ObjectNode) root.get("parts") : root.putObject("parts");
        return parts.putObject(part).put("recipe", recipe);
    }

    /** Records a produced file: size and sha256, plus its line count for text and row count for JSONL. */
    public static ObjectNode addFile(ObjectNode part, Path cache, Path file) {
        String key = cache.relativize(file).toString().replace('\\', '/');
        ObjectNode f = (part.has("files") ? (ObjectNode) part.get("files") : part.putObject("files")).putObject(key);
        f.put("size", Hashing.size(file)).put("sha256", Hashing.sha256(file));
        String name = file.getFileName().toString();
        if (name.endsWith(".txt") || name.endsWith(".jsonl")) {
            f.put(name.endsWith(".jsonl") ? "rows" : "lines", countLines(file));
        }
        return f;
    }

    private static long countLines(Path file) {
        try (var lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read", e);
        }
    }

    /** Writes the manifest atomically (temp file, rename). */
    public void write(Path cache) {
        Path target = cache.resolve(FILE);
        Path tmp = cache.resolve("." + FILE + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), root);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do: the rename already failed or succeeded
            }
        }
    }

    public ObjectNode root() {
        return root;
    }
}
