package dev.minibert.eval;

import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.LabelMap;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.PretrainedWeights;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.pretrain.BertForMaskedLM;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * A model directory opened as what it was saved as: a finetuned classifier ({@code labels.json}), a masked-LM model
 * ({@code cls.predictions.*} tensors, from {@code minibert pretrain}), or a bare encoder (an imported model such as
 * bge-small-zh, which ships without an MLM head).
 */
public final class SavedModel {
    private static final String HEAD_PREFIX = "cls.predictions.";
    private static final String HEAD_TRANSFORM = "cls.predictions.transform.dense.weight";

    public enum Kind { CLASSIFIER, MASKED_LM, ENCODER }

    private final ModelDirectory dir;
    private final Kind kind;
    private final LabelMap labels; // classifier only

    private SavedModel(ModelDirectory dir, Kind kind, LabelMap labels) {
        this.dir = dir;
        this.kind = kind;
        this.labels = labels;
    }

    public static SavedModel open(Path path) throws IOException {
        ModelDirectory dir = ModelDirectory.open(path);
        Path labelFile = path.resolve(LabelMap.FILE);
        if (Files.exists(labelFile)) {
            return new SavedModel(dir, Kind.CLASSIFIER, LabelMap.load(labelFile));
        }
        boolean head = dir.tensors().keySet().stream().anyMatch(n -> n.startsWith(HEAD_PREFIX));
        return new SavedModel(dir, head ? Kind.MASKED_LM : Kind.ENCODER, null);
    }

    public ModelDirectory directory() {
        return dir;
    }

    public Kind kind() {
        return kind;
    }

    public LabelMap labels() {
        if (labels == null) {
            throw new IllegalStateException(dir.path() + " is not a classifier");
        }
        return labels;
    }

    /** The classifier with every tensor loaded from the directory (none may be missing). */
    public BertForSequenceClassification classifier(ParameterStore store) throws IOException {
        BertForSequenceClassification model = new BertForSequenceClassification(dir.config(), store, labels().size(),
                null);
        dir.loadInto(store, name -> false);
        return model;
    }

    /**
     * The masked-LM model. A masked-LM directory loads completely; a bare encoder gets BERT's head (with its
     * transform) initialised from {@code seed}, as {@code pretrain --init-from} would start it.
     */
    public BertForMaskedLM maskedLm(ParameterStore store, long seed) throws IOException {
        if (kind == Kind.CLASSIFIER) {
            throw new IllegalStateException(dir.path() + " is a classifier, not a masked-LM model");
        }
        boolean transform = kind == Kind.ENCODER || dir.tensors().containsKey(HEAD_TRANSFORM);
        BertForMaskedLM model = new BertForMaskedLM(dir.config(), store, transform);
        if (kind == Kind.MASKED_LM) {
            dir.loadInto(store, name -> false);
        } else {
            PretrainedWeights.load(dir, store, name -> name.startsWith(HEAD_PREFIX), seed);
        }
        return model;
    }

    /** A float store, the type models train and run in. */
    public static ParameterStore newStore() {
        return new ParameterStore(DataType.FLOAT);
    }
}
