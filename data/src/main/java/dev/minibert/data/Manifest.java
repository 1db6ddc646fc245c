package dev.minibert.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code MANIFEST.json} of a data cache: for every part that was built, the recipe that built it, the packages it
 * came from (name, version, file, size, sha256) and each file it produced (size, sha256, line or row counts),
 * paths relative to the cache. A part whose recipe matches and whose files all still match is up to date.
 */
public final class Manifest {
    public static final String FILE = "MANIFEST.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern OLD_LABELED_RECIPE = Pattern.compile("labeled v1 seed=(-?\\d+) poetry-rows=(\\d+)");

    private final ObjectNode root;

    private Manifest(ObjectNode root) {
        this.root = root;
    }

    /**
     * The cache's manifest; an absent one is empty, an unreadable one or one minibert did not write (no
     * {@code format}) is an error naming the file.
     */
    public static Manifest read(Path cache) {
        Path file = cache.resolve(FILE);
        if (!Files.exists(file)) {
            return new Manifest(JSON.createObjectNode().put("format", 1));
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (!(node instanceof ObjectNode o) || !o.path("format").isInt()) {
                throw new FetchException(file + ": not a minibert data manifest; if minibert wrote this cache, delete "
                        + "it to rebuild the cache, else choose another --cache");
            }
            splitLabeled(o);
            return new Manifest(o);
        } catch (IOException e) {
            throw new FetchException(file + ": unreadable (" + e.getMessage().lines().findFirst().orElse("")
                    + "); delete it to rebuild the cache");
        }
    }

    /**
     * Caches fetched before the labeled sets became two parts list both under {@code labeled}: each set's files,
     * stats and package move to an entry of its own, with the recipe the same build has now (its seed and rows), so
     * an unchanged cache stays current and its files stay known as minibert's.
     */
    private static void splitLabeled(ObjectNode root) {
        JsonNode old = root.path("parts").path("labeled");
        if (old.isMissingNode()) {
            return;
        }
        ObjectNode parts = (ObjectNode) root.get("parts");
        parts.remove("labeled");
        Matcher recipe = OLD_LABELED_RECIPE.matcher(old.path("recipe").asText());
        boolean known = recipe.matches();
        for (DataFetch.Part p : List.of(DataFetch.Part.TOPIC, DataFetch.Part.POETRY)) {
            String set = p.dir.substring(p.dir.indexOf('/') + 1);
            ObjectNode entry = parts.putObject(p.dir).put("recipe", !known ? ""
                    : p == DataFetch.Part.TOPIC ? DataFetch.topicRecipe(Long.parseLong(recipe.group(1)))
                    : DataFetch.poetryRecipe(Long.parseLong(recipe.group(1)), Integer.parseInt(recipe.group(2))));
            ArrayNode packages = entry.putArray("packages");
            old.path("packages").forEach(pkg -> {
                if (pkg.path("name").asText().equals(PoetryDynasty.PACKAGE.split("@")[0]) == (p == DataFetch.Part.POETRY)) {
                    packages.add(pkg);
                }
            });
            entry.set("stats", old.path("stats").path(set).deepCopy());
            ObjectNode files = entry.putObject("files");
            old.path("files").fields().forEachRemaining(f -> {
                if (f.getKey().startsWith(p.dir + "/")) {
                    files.set(f.getKey(), f.getValue());
                }
            });
        }
    }

    /** Whether {@code relative} (a path inside the cache, '/'-separated) is a file some part lists: minibert wrote it. */
    public boolean lists(String relative) {
        for (Iterator<JsonNode> parts = root.path("parts").elements(); parts.hasNext(); ) {
            if (parts.next().path("files").has(relative)) {
                return true;
            }
        }
        return false;
    }

    /** The packages a part was built from, as recorded. */
    public List<PackageRecord> packages(String part) {
        List<PackageRecord> used = new ArrayList<>();
        for (JsonNode p : part(part).path("packages")) {
            used.add(new PackageRecord(p.path("registry").asText(), p.path("name").asText(), p.path("version").asText(),
                    p.path("file").asText(), p.path("size").asLong(), p.path("sha256").asText()));
        }
        return used;
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

    /** Writes the manifest atomically and durably (temp file, fsync, rename, fsync of the folder). */
    public void write(Path cache) {
        Path target = cache.resolve(FILE);
        try {
            AtomicFiles.write(target, JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    public ObjectNode root() {
        return root;
    }
}
