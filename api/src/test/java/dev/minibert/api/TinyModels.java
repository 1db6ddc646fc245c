package dev.minibert.api;

import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.LabelMap;
import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Saved 2-layer, hidden-16 models over a small word vocabulary, without dropout, and data for them; shared with the
 * examples module's tests (test-jar). Init std 0.3, larger than BERT's 0.02, so outputs differ visibly per text.
 */
public final class TinyModels {
    public static final List<String> WORDS =
            List.of("the", "cat", "dog", "sat", "ran", "on", "mat", "fast", "slow", "very");
    public static final LabelMap LABELS = LabelMap.of(List.of("animal", "motion"));
    /** Texts of different lengths, one with an unknown word. */
    public static final List<String> TEXTS =
            List.of("the cat sat on the mat", "dog ran", "very very slow cat zebra", "fast", "the dog sat");
    /** Four rows per label: "animal" ones name the cat or the dog, "motion" ones do not. */
    public static final List<String> LABELED = List.of(
            "the cat sat on the mat,animal", "the dog ran fast,animal", "very slow cat,animal", "the dog sat,animal",
            "ran very fast,motion", "sat on the mat,motion", "very very slow,motion", "fast on the mat,motion");
    public static final List<String> CORPUS = List.of("the cat sat on the mat", "the dog ran very fast", "",
            "very slow cat", "the dog sat on the mat", "", "fast dog", "the cat ran on the mat");

    private TinyModels() {
    }

    public static Vocab vocab() {
        List<String> tokens = new ArrayList<>(Vocab.SPECIAL_TOKENS);
        tokens.addAll(WORDS);
        return Vocab.of(tokens);
    }

    public static BertConfig config() {
        return BertConfig.builder().vocabSize(Vocab.SPECIAL_TOKENS.size() + WORDS.size()).hiddenSize(16)
                .numHiddenLayers(2).numAttentionHeads(2).intermediateSize(32).maxPositionEmbeddings(16)
                .hiddenDropoutProb(0).attentionProbsDropoutProb(0).build();
    }

    /** An encoder with its pooler; the returned model is the saved one, in memory. */
    public static BertModel encoder(Path dir) throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertModel bert = new BertModel(config(), store, "bert.", true);
        Initializer.initialize(store, 0.3, 9);
        ModelDirectory.save(dir, config(), vocab(), true, store, Map.of());
        return bert;
    }

    /** A classifier over {@link #LABELS}, as {@code minibert finetune} saves one. */
    public static BertForSequenceClassification classifier(Path dir) throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForSequenceClassification model = new BertForSequenceClassification(config(), store, LABELS.size(), null);
        Initializer.initialize(store, 0.3, 11);
        ModelDirectory.save(dir, LABELS.withLabels(config()), vocab(), true, store,
                Map.of(LabelMap.FILE, LABELS.toJson()));
        return model;
    }

    public static Path labeledCsv(Path file) throws IOException {
        return Files.writeString(file, "text,label\n" + String.join("\n", LABELED) + "\n", StandardCharsets.UTF_8);
    }

    public static Path corpus(Path file) throws IOException {
        return Files.writeString(file, String.join("\n", CORPUS) + "\n", StandardCharsets.UTF_8);
    }

    public static Path configJson(Path file) throws IOException {
        return Files.writeString(file, config().toJsonString(), StandardCharsets.UTF_8);
    }

    public static Path vocabTxt(Path file) throws IOException {
        vocab().write(file);
        return file;
    }
}
