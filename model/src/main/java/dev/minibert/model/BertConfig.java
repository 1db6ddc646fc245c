package dev.minibert.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BERT configuration, read from and written to HuggingFace's {@code config.json}. Keys this
 * class does not model (architectures, id2label, ...) are kept and written back unchanged.
 */
public final class BertConfig {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** HF configs are a few KiB even with large label maps; a bigger file is not a config. */
    static final long MAX_FILE_BYTES = 16L << 20;
    // Sane bounds: far above any real BERT (the largest vocabularies are ~250k), low enough that the sizes
    // multiplied together stay far from long overflow and that no int index downstream can wrap.
    static final int MAX_VOCAB_SIZE = 1 << 22;
    static final int MAX_HIDDEN_SIZE = 1 << 16;
    static final int MAX_LAYERS = 1 << 10;
    static final int MAX_INTERMEDIATE_SIZE = 1 << 18;
    static final int MAX_POSITIONS = 1 << 20;
    static final int MAX_TYPE_VOCAB_SIZE = 1 << 16;
    /** Parameters are float32 and each has a gradient of its size: 8 bytes per parameter once built. */
    private static final long BYTES_PER_PARAMETER = 2L * Float.BYTES;

    public enum NormStyle { POST, PRE }

    public final int vocabSize;
    public final int hiddenSize;
    public final int numHiddenLayers;
    public final int numAttentionHeads;
    public final int intermediateSize;
    public final String hiddenAct;
    public final double hiddenDropoutProb;
    public final double attentionProbsDropoutProb;
    public final int maxPositionEmbeddings;
    public final int typeVocabSize;
    public final double initializerRange;
    public final double layerNormEps;
    public final NormStyle normStyle;
    /** Keys of config.json this class does not interpret, in file order. */
    public final Map<String, JsonNode> extra;

    private BertConfig(Builder b) {
        this.vocabSize = b.vocabSize;
        this.hiddenSize = b.hiddenSize;
        this.numHiddenLayers = b.numHiddenLayers;
        this.numAttentionHeads = b.numAttentionHeads;
        this.intermediateSize = b.intermediateSize;
        this.hiddenAct = b.hiddenAct;
        this.hiddenDropoutProb = b.hiddenDropoutProb;
        this.attentionProbsDropoutProb = b.attentionProbsDropoutProb;
        this.maxPositionEmbeddings = b.maxPositionEmbeddings;
        this.typeVocabSize = b.typeVocabSize;
        this.initializerRange = b.initializerRange;
        this.layerNormEps = b.layerNormEps;
        this.normStyle = b.normStyle;
        this.extra = Map.copyOf(b.extra);
        validate();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.vocabSize = vocabSize;
        b.hiddenSize = hiddenSize;
        b.numHiddenLayers = numHiddenLayers;
        b.numAttentionHeads = numAttentionHeads;
        b.intermediateSize = intermediateSize;
        b.hiddenAct = hiddenAct;
        b.hiddenDropoutProb = hiddenDropoutProb;
        b.attentionProbsDropoutProb = attentionProbsDropoutProb;
        b.maxPositionEmbeddings = maxPositionEmbeddings;
        b.typeVocabSize = typeVocabSize;
        b.initializerRange = initializerRange;
        b.layerNormEps = layerNormEps;
        b.normStyle = normStyle;
        b.extra.putAll(extra);
        return b;
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** Every parameter of the encoder with its pooler, as BertModel registers them; overflow-checked. */
    public long parameterCount() {
        long h = hiddenSize;
        long embeddings = Math.addExact(Math.multiplyExact(Math.addExact(Math.addExact((long) vocabSize,
                maxPositionEmbeddings), typeVocabSize), h), 2 * h);
        long attention = Math.addExact(Math.multiplyExact(4 * h, h), 4 * h); // query, key, value, output
        long feedForward = Math.addExact(Math.multiplyExact(2 * h, (long) intermediateSize), intermediateSize + h);
        long layer = Math.addExact(Math.addExact(attention, feedForward), 4 * h); // two LayerNorms
        long pooler = Math.addExact(Math.multiplyExact(h, h), h);
        long finalNorm = normStyle == NormStyle.PRE ? 2 * h : 0; // pre-norm stacks end in one more LayerNorm
        return Math.addExact(Math.addExact(embeddings, Math.multiplyExact(layer, (long) numHiddenLayers)),
                pooler + finalNorm);
    }

    /** The elements of the largest single tensor: word or position embeddings, stacked [3H,H] QKV, or FFN. */
    long largestTensorElements() {
        long h = hiddenSize;
        long rows = Math.max(Math.max(vocabSize, maxPositionEmbeddings), Math.max(3 * h, intermediateSize));
        return Math.multiplyExact(rows, h);
    }

    private void validate() {
        bounded("vocab_size", vocabSize, MAX_VOCAB_SIZE);
        bounded("hidden_size", hiddenSize, MAX_HIDDEN_SIZE);
        bounded("num_hidden_layers", numHiddenLayers, MAX_LAYERS);
        bounded("num_attention_heads", numAttentionHeads, MAX_HIDDEN_SIZE);
        bounded("intermediate_size", intermediateSize, MAX_INTERMEDIATE_SIZE);
        bounded("max_position_embeddings", maxPositionEmbeddings, MAX_POSITIONS);
        bounded("type_vocab_size", typeVocabSize, MAX_TYPE_VOCAB_SIZE);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (!"gelu".equals(hiddenAct)) {
            throw new IllegalArgumentException("hidden_act \"" + hiddenAct
                    + "\" is not supported: only \"gelu\" (exact erf form)");
        }
        probability("hidden_dropout_prob", hiddenDropoutProb);
        probability("attention_probs_dropout_prob", attentionProbsDropoutProb);
        if (!(initializerRange > 0)) {
            throw new IllegalArgumentException("initializer_range must be > 0, got " + initializerRange);
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layer_norm_eps must be > 0, got " + layerNormEps);
        }
        // before any allocation: the sizes are sane one by one but their product may not fit this JVM
        long parameters = parameterCount();
        MemoryBudget.checkTensor("the largest tensor (" + largestTensorElements() + " float32 values)",
                Math.multiplyExact(largestTensorElements(), (long) Float.BYTES));
        MemoryBudget.checkOffHeap("the model's " + parameters + " parameters with their gradients",
                Math.multiplyExact(parameters, BYTES_PER_PARAMETER));
    }

    private static void bounded(String key, int value, int max) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
        if (value > max) {
            throw new IllegalArgumentException(key + " must be at most " + max + ", got " + value);
        }
    }

    private static void probability(String key, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(key + " must be in [0, 1), got " + value);
        }
    }

    public static BertConfig read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(file + ": " + size + " bytes, over the " + MAX_FILE_BYTES
                    + "-byte limit of a config file");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8", e);
        }
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public static BertConfig fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config must be a JSON object");
        }
        Builder b = new Builder();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode v = f.getValue();
            switch (f.getKey()) {
                case "vocab_size" -> b.vocabSize = intValue(f.getKey(), v);
                case "hidden_size" -> b.hiddenSize = intValue(f.getKey(), v);
                case "num_hidden_layers" -> b.numHiddenLayers = intValue(f.getKey(), v);
                case "num_attention_heads" -> b.numAttentionHeads = intValue(f.getKey(), v);
                case "intermediate_size" -> b.intermediateSize = intValue(f.getKey(), v);
                case "hidden_act" -> b.hiddenAct = v.asText();
                case "hidden_dropout_prob" -> b.hiddenDropoutProb = doubleValue(f.getKey(), v);
                case "attention_probs_dropout_prob" -> b.attentionProbsDropoutProb = doubleValue(f.getKey(), v);
                case "max_position_embeddings" -> b.maxPositionEmbeddings = intValue(f.getKey(), v);
                case "type_vocab_size" -> b.typeVocabSize = intValue(f.getKey(), v);
                case "initializer_range" -> b.initializerRange = doubleValue(f.getKey(), v);
                case "layer_norm_eps" -> b.layerNormEps = doubleValue(f.getKey(), v);
                case "norm_style" -> b.normStyle = normStyle(v.asText());
                default -> b.extra.put(f.getKey(), v);
            }
        }
        return b.build();
    }

    private static int intValue(String key, JsonNode v) {
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(key + " must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static double doubleValue(String key, JsonNode v) {
        if (!v.isNumber()) {
            throw new IllegalArgumentException(key + " must be a number, got " + v);
        }
        return v.doubleValue();
    }

    private static NormStyle normStyle(String s) {
        return switch (s) {
            case "post" -> NormStyle.POST;
            case "pre" -> NormStyle.PRE;
            default -> throw new IllegalArgumentException("norm_style must be \"post\" or \"pre\", got \"" + s + "\"");
        };
    }

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("model_type", "bert");
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("num_hidden_layers", numHiddenLayers);
        o.put("num_attention_heads", numAttentionHeads);
        o.put("intermediate_size", intermediateSize);
        o.put("hidden_act", hiddenAct);
        o.put("hidden_dropout_prob", hiddenDropoutProb);
        o.put("attention_probs_dropout_prob", attentionProbsDropoutProb);
        o.put("max_position_embeddings", maxPositionEmbeddings);
        o.put("type_vocab_size", typeVocabSize);
        o.put("initializer_range", initializerRange);
        o.put("layer_norm_eps", layerNormEps);
        o.put("norm_style", normStyle == NormStyle.POST ? "post" : "pre");
        extra.forEach((k, v) -> {
            if (!o.has(k)) {
                o.set(k, v);
            }
        });
        return o;
    }

    public String toJsonString() {
        try {
            return JSON.writeValueAsString(toJson()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BertConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return toJson().toString();
    }

    /** Defaults are BERT-base's, the product's full-size model. */
    public static final class Builder {
        private int vocabSize = 21128;
        private int hiddenSize = 768;
        private int numHiddenLayers = 12;
        private int numAttentionHeads = 12;
        private int intermediateSize = 3072;
        private String hiddenAct = "gelu";
        private double hiddenDropoutProb = 0.1;
        private double attentionProbsDropoutProb = 0.1;
        private int maxPositionEmbeddings = 512;
        private int typeVocabSize = 2;
        private double initializerRange = 0.02;
        private double layerNormEps = 1e-12;
        private NormStyle normStyle = NormStyle.POST;
        private final Map<String, JsonNode> extra = new LinkedHashMap<>();

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder numHiddenLayers(int v) { numHiddenLayers = v; return this; }
        public Builder numAttentionHeads(int v) { numAttentionHeads = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder hiddenAct(String v) { hiddenAct = v; return this; }
        public Builder hiddenDropoutProb(double v) { hiddenDropoutProb = v; return this; }
        public Builder attentionProbsDropoutProb(double v) { attentionProbsDropoutProb = v; return this; }
        public Builder maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
        public Builder typeVocabSize(int v) { typeVocabSize = v; return this; }
        public Builder initializerRange(double v) { initializerRange = v; return this; }
        public Builder layerNormEps(double v) { layerNormEps = v; return this; }
        public Builder normStyle(NormStyle v) { normStyle = v; return this; }
        public Builder extra(String key, JsonNode v) { extra.put(key, v); return this; }

        public BertConfig build() {
            return new BertConfig(this);
        }
    }
}
