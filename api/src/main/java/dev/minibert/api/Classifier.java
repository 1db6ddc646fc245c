package dev.minibert.api;

import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.EncodedExamples;
import dev.minibert.finetune.Example;
import dev.minibert.finetune.LabelMap;
import dev.minibert.finetune.Predictor;
import dev.minibert.model.Nd4jSetup;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A finetuned model directory (with {@code labels.json}) that classifies texts or text pairs. The same code path as
 * {@code minibert predict}. Not thread-safe: use one per thread.
 */
public final class Classifier {
    /** Texts per forward pass unless told: {@code minibert predict}'s {@code --batch-size} default. */
    public static final int DEFAULT_BATCH_SIZE = 32;
    /** Tokens per text unless told: {@code minibert predict}'s {@code --max-seq-len} default. */
    public static final int DEFAULT_MAX_SEQ_LEN = 128;

    private final LabelMap labels;
    private final BertTokenizer tokenizer;
    private final Predictor predictor;

    private Classifier(LabelMap labels, BertTokenizer tokenizer, Predictor predictor) {
        this.labels = labels;
        this.tokenizer = tokenizer;
        this.predictor = predictor;
    }

    /**
     * Loads a finetuned directory with every core and {@link #DEFAULT_BATCH_SIZE}.
     *
     * @param dir the directory {@code minibert finetune} wrote
     * @return the classifier
     * @throws IOException when the directory cannot be read; the message names the file
     */
    public static Classifier load(Path dir) throws IOException {
        return load(dir, Nd4jSetup.cores(), DEFAULT_BATCH_SIZE);
    }

    /**
     * Loads a finetuned directory; every weight must be present.
     *
     * @param dir the directory {@code minibert finetune} wrote
     * @param threads threads for the kernels and matrix products (process-wide: ND4J's setting is global)
     * @param batchSize texts per forward pass
     * @return the classifier
     * @throws IOException when the directory cannot be read; the message names the file
     */
    public static Classifier load(Path dir, int threads, int batchSize) throws IOException {
        Nd4jSetup.init(threads);
        ModelDirectory model = ModelDirectory.open(dir);
        LabelMap labels = LabelMap.load(dir.resolve(LabelMap.FILE));
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForSequenceClassification classifier = new BertForSequenceClassification(model.config(), store,
                labels.size(), null);
        model.loadInto(store, name -> false);
        store.freeze(); // inference only: the products read weights packed once
        return new Classifier(labels, new BertTokenizer(model.vocab(), model.doLowerCase()),
                new Predictor(classifier, batchSize));
    }

    /**
     * A finetuned directory's labels and tokenizer over another network: the same tokenization, length-ordered
     * batches and softmax as {@link #load(Path, int, int)}, with {@code network}'s logits instead of minibert's (the
     * serve benchmark runs the exported graph in ONNX Runtime here).
     *
     * @param dir the directory {@code minibert finetune} wrote
     * @param batchSize texts per forward pass
     * @param network logits [B,numLabels] of one padded batch, in the directory's label order
     * @return the classifier
     * @throws IOException when the directory cannot be read; the message names the file
     */
    public static Classifier withNetwork(Path dir, int batchSize, Predictor.Logits network) throws IOException {
        ModelDirectory model = ModelDirectory.open(dir);
        return new Classifier(LabelMap.load(dir.resolve(LabelMap.FILE)),
                new BertTokenizer(model.vocab(), model.doLowerCase()), new Predictor(network, batchSize));
    }

    /**
     * The labels, in the model's order.
     *
     * @return label names
     */
    public List<String> labels() {
        return labels.names();
    }

    /**
     * Classifies single texts, each truncated to {@link #DEFAULT_MAX_SEQ_LEN} tokens.
     *
     * @param texts the texts
     * @return one prediction per text, in order
     */
    public List<Prediction> classify(List<String> texts) {
        return classify(texts, null, DEFAULT_MAX_SEQ_LEN);
    }

    /**
     * Classifies texts or text pairs.
     *
     * @param texts the (first) texts
     * @param secondTexts the second text of each pair, or null for single texts
     * @param maxSeqLen truncate each example to this many tokens, [CLS] and [SEP] included
     * @return one prediction per text, in order
     */
    public List<Prediction> classify(List<String> texts, List<String> secondTexts, int maxSeqLen) {
        if (secondTexts != null && secondTexts.size() != texts.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + secondTexts.size() + " second texts");
        }
        List<Example> examples = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            examples.add(new Example(texts.get(i), secondTexts == null ? null : secondTexts.get(i), 0, i + 1));
        }
        List<Prediction> out = new ArrayList<>(texts.size());
        for (double[] p : predictor.probabilities(new EncodedExamples(examples, tokenizer, maxSeqLen))) {
            Map<String, Double> byLabel = new LinkedHashMap<>();
            for (int c = 0; c < p.length; c++) {
                byLabel.put(labels.name(c), p[c]);
            }
            out.add(new Prediction(labels.name(Predictor.argmax(p)), byLabel));
        }
        return out;
    }
}
