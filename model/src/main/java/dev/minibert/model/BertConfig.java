package dev.minibert.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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

    private void validate() {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("type_vocab_size", typeVocabSize);
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
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    private static void probability(String key, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(key + " must be in [0, 1), got " + value);
        }
    }

    public static BertConfig read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
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
