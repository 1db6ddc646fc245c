package dev.minibert.eval.experiments;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.PretrainedWeights;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.train.SeedPurpose;
import dev.minibert.model.train.GradientProbe;
import dev.minibert.pretrain.Batch;
import dev.minibert.pretrain.BertForMaskedLM;
import dev.minibert.pretrain.CorpusReader;
import dev.minibert.pretrain.Instance;
import dev.minibert.pretrain.InstanceBuilder;
import dev.minibert.pretrain.MaskingCollator;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One fixed masked batch from the corpus, and the per-layer gradient norms a model gets on it. The batch, its
 * masks and the dropout masks derive from the seed, so two models (two inits, or init and trained) are measured
 * on exactly the same input.
 */
public final class MlmProbe {
    private final Batch batch;
    private final long dropoutSeed;

    private MlmProbe(Batch batch, long dropoutSeed) {
        this.batch = batch;
        this.dropoutSeed = dropoutSeed;
    }

    /** The first {@code batchSize} training sequences of the corpus, masked as pretraining masks them. */
    public static MlmProbe fromCorpus(Path corpus, Vocab vocab, int batchSize, int seqLen, int maxPredictions,
                                      long seed) {
        InstanceBuilder builder = new InstanceBuilder(new BertTokenizer(vocab, true), seqLen, 0.0, seed);
        List<Instance> instances = new ArrayList<>();
        Iterator<List<String>> documents = new CorpusReader(corpus, CorpusReader.Format.SENTENCE_PER_LINE).iterator();
        while (instances.size() < batchSize && documents.hasNext()) {
            instances.addAll(builder.fromDocument(documents.next()));
        }
        if (instances.size() < batchSize) {
            throw new IllegalArgumentException(corpus + ": yields only " + instances.size()
                    + " sequences, the probe batch needs " + batchSize);
        }
        MaskingCollator collator = new MaskingCollator(vocab, 0.15, maxPredictions, false);
        Batch b = collator.collate(instances.subList(0, batchSize), SeedPurpose.PROBE_MASKING.seed(seed));
        return new MlmProbe(b, SeedPurpose.PROBE_DROPOUT.seed(seed));
    }

    /** A freshly initialised MLM model: truncated normal with {@code config.initializerRange}, or Xavier. */
    public static BertForMaskedLM fresh(BertConfig config, boolean xavier, long seed) {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForMaskedLM model = new BertForMaskedLM(config, store, true);
        if (xavier) {
            Initializer.xavier(store, config.initializerRange, seed);
        } else {
            Initializer.initialize(store, config.initializerRange, seed);
        }
        return model;
    }

    /** The MLM model a pretraining run saved (head included). */
    public static BertForMaskedLM load(Path modelDir, boolean headTransform) throws IOException {
        ModelDirectory dir = ModelDirectory.open(modelDir);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForMaskedLM model = new BertForMaskedLM(dir.config(), store, headTransform);
        PretrainedWeights.load(dir, store, name -> false, 0);
        return model;
    }

    /** Forward and backward of the probe batch; the model's gradients are overwritten, its weights untouched. */
    public GradientSnapshot measure(BertForMaskedLM model) {
        ParameterStore store = model.bert().store();
        int layers = model.bert().config().numHiddenLayers;
        store.zeroGrad();
        model.bert().reseedDropout(dropoutSeed);
        double loss = model.forwardBackward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(),
                batch.maskedRows(), batch.maskedLabels(), 1.0).loss();
        Map<String, Double> groups = GradientProbe.groupNorms(store);
        double[] weight = new double[layers];
        for (int i = 0; i < layers; i++) {
            weight[i] = groups.get("layer." + i);
        }
        GradientSnapshot snapshot = new GradientSnapshot(model.bert().layerInputGradNorms(), weight, loss);
        store.zeroGrad();
        return snapshot;
    }
}
