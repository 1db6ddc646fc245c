package dev.minibert.cli;

import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.EncodedExamples;
import dev.minibert.finetune.Example;
import dev.minibert.finetune.LabelMap;
import dev.minibert.finetune.Predictor;
import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.pretrain.BertForMaskedLM;
import dev.minibert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Saved tiny models over {@link TinyModelFiles}' vocabulary, without dropout (so a training-mode forward equals the
 * inference one), and data for them: a labeled CSV and a corpus of the vocabulary's words.
 */
final class TinySavedModels {
    static final LabelMap LABELS = LabelMap.of(List.of("animal", "motion"));
    /** Four sentences per label: "animal" ones name the cat or the dog, "motion" ones do not. */
    static final List<String> LABELED = List.of(
            "the cat sat on the mat,animal", "the dog ran fast,animal", "very slow cat,animal", "the dog sat,animal",
            "ran very fast,motion", "sat on the mat,motion", "very very slow,motion", "fast on the mat,motion");
    static final List<String> CORPUS = List.of("the cat sat on the mat", "the dog ran very fast", "",
            "very slow cat", "the dog sat on the mat");

    private TinySavedModels() {
    }

    static BertConfig config() {
        return TinyModelFiles.config().toBuilder().hiddenDropoutProb(0).attentionProbsDropoutProb(0).build();
    }

    /** A classifier with a large init std, so that its predictions differ from example to example. */
    static BertForSequenceClassification classifier(Path dir) throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForSequenceClassification model = new BertForSequenceClassification(config(), store, LABELS.size(), null);
        Initializer.initialize(store, 0.3, 11);
        ModelDirectory.save(dir, LABELS.withLabels(config()), TinyModelFiles.vocab(), true, store,
                Map.of(LabelMap.FILE, LABELS.toJson()));
        return model;
    }

    /** A masked-LM model (encoder and head with its transform) at BERT's init. */
    static void maskedLm(Path dir) throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertForMaskedLM(config(), store, true);
        Initializer.initialize(store, 0.02, 12);
        ModelDirectory.save(dir, config(), TinyModelFiles.vocab(), true, store, Map.of());
    }

    /** An encoder alone (with pooler), as an imported model without an MLM head. */
    static Path encoder(Path dir) throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertModel(config(), store, "bert.", true);
        Initializer.initialize(store, 0.02, 13);
        ModelDirectory.save(dir, config(), TinyModelFiles.vocab(), true, store, Map.of());
        return dir;
    }

    /** {@link #LABELED} as examples with gold label ids. */
    static List<Example> examples() {
        List<Example> out = new ArrayList<>();
        for (String row : LABELED) {
            String[] f = row.split(",");
            out.add(new Example(f[0], null, LABELS.id(f[1]), 0));
        }
        return out;
    }

    /** The classifier's probabilities for {@link #examples()}, computed in memory. */
    static double[][] probabilities(BertForSequenceClassification classifier) {
        return new Predictor(classifier, 1).probabilities(
                new EncodedExamples(examples(), new BertTokenizer(TinyModelFiles.vocab(), true), 64));
    }

    static Path labeledCsv(Path file) throws IOException {
        Files.writeString(file, "text,label\n" + String.join("\n", LABELED) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    static Path corpus(Path file) throws IOException {
        Files.writeString(file, String.join("\n", CORPUS) + "\n", StandardCharsets.UTF_8);
        return file;
    }
}
