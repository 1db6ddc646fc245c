package dev.minibert.pretrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code manifest.json} of a shard folder: the format version, what made the instances (vocabulary, settings,
 * corpus) and, per split, the shard files with their sizes, sha256 and instance counts. Written last, so a folder
 * with a manifest is complete.
 *
 * @param tokenBytes 2 (uint16 ids, while the vocabulary has at most 65,535 tokens) or 4 (int32)
 */
public record ShardManifest(InstanceSettings settings, String vocabSha256, int vocabSize, int tokenBytes,
                            Corpus corpus, CorpusInstances.Counts counts, List<Shard> train, List<Shard> heldOut) {
    public static final String FILE = "manifest.json";
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The corpus files as given, and the sha256 of their contents in order. */
    public record Corpus(List<String> files, String sha256, long bytes) {
    }

    /** One shard: its token stream and its index (layout in docs/shards.md). */
    public record Shard(int instances, long tokens, ShardFile tokensFile, ShardFile indexFile) {
    }

    public record ShardFile(String name, long bytes, String sha256) {
    }

    /** Every file name the manifest lists, in order. */
    List<String> fileNames() {
        List<String> names = new ArrayList<>();
        for (Shard s : concat(train, heldOut)) {
            names.add(s.tokensFile().name());
            names.add(s.indexFile().name());
        }
        return names;
    }

    byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "minibert-shards");
        root.put("format_version", FORMAT_VERSION);
        root.put("token_dtype", tokenBytes == 2 ? "uint16" : "int32");
        root.put("vocab_sha256", vocabSha256);
        root.put("vocab_size", vocabSize);
        root.set("settings", settings.toJson());
        ObjectNode c = root.putObject("corpus");
        c.set("files", JSON.valueToTree(corpus.files()));
        c.put("sha256", corpus.sha256());
        c.put("bytes", corpus.bytes());
        root.put("dropped_unmaskable_train_instances", counts.unmaskable());
        root.put("skipped_bad_lines", counts.skippedLines());
        split(root.putObject("train"), counts.train(), train);
        split(root.putObject("held_out"), counts.heldOut(), heldOut);
        return (root.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void split(ObjectNode node, long instances, List<Shard> shards) {
        node.put("instances", instances);
        ArrayNode list = node.putArray("shards");
        for (Shard s : shards) {
            ObjectNode n = list.addObject();
            n.put("instances", s.instances());
            n.put("tokens", s.tokens());
            file(n.putObject("tokens_file"), s.tokensFile());
            file(n.putObject("index_file"), s.indexFile());
        }
    }

    private static void file(ObjectNode node, ShardFile f) {
        node.put("name", f.name());
        node.put("bytes", f.bytes());
        node.put("sha256", f.sha256());
    }

    /** Reads {@code dir/manifest.json}; anything missing, malformed or of another format version names the file. */
    public static ShardManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        try {
            JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (root == null || !"minibert-shards".equals(root.path("format").asText())) {
                throw new IllegalArgumentException("not a minibert shard manifest (no \"format\": \"minibert-shards\")");
            }
            int version = root.path("format_version").asInt(-1);
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("format version " + root.path("format_version")
                        + " is not one this minibert reads (" + FORMAT_VERSION + "); re-run minibert shard");
            }
            String dtype = text(root, "token_dtype");
            if (!dtype.equals("uint16") && !dtype.equals("int32")) {
                throw new IllegalArgumentException("unknown token_dtype \"" + dtype + "\"");
            }
            JsonNode c = root.path("corpus");
            List<String> files = new ArrayList<>();
            c.path("files").forEach(n -> files.add(n.asText()));
            CorpusInstances.Counts counts = new CorpusInstances.Counts(root.path("train").path("instances").asLong(),
                    root.path("held_out").path("instances").asLong(),
                    root.path("dropped_unmaskable_train_instances").asLong(), root.path("skipped_bad_lines").asLong());
            return new ShardManifest(InstanceSettings.fromJson(root.path("settings")), text(root, "vocab_sha256"),
                    root.path("vocab_size").asInt(), dtype.equals("uint16") ? 2 : 4,
                    new Corpus(files, c.path("sha256").asText(), c.path("bytes").asLong()), counts,
                    shards(root.path("train")), shards(root.path("held_out")));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": missing: " + dir + " is not a shard folder from minibert "
                    + "shard, or its sharding did not finish");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static List<Shard> shards(JsonNode split) {
        List<Shard> out = new ArrayList<>();
        for (JsonNode n : split.path("shards")) {
            out.add(new Shard(n.path("instances").asInt(), n.path("tokens").asLong(), shardFile(n.path("tokens_file")),
                    shardFile(n.path("index_file"))));
        }
        return out;
    }

    private static ShardFile shardFile(JsonNode n) {
        String name = text(n, "name");
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("shard file name \"" + name + "\" is not a plain file name");
        }
        return new ShardFile(name, n.path("bytes").asLong(), text(n, "sha256"));
    }

    private static String text(JsonNode node, String field) {
        if (!node.path(field).isTextual()) {
            throw new IllegalArgumentException("field \"" + field + "\" is missing");
        }
        return node.get(field).asText();
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
