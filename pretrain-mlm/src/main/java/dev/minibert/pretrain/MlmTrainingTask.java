package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.train.MicroBatches;
import dev.minibert.model.train.SeedPurpose;
import dev.minibert.model.train.TrainingTask;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Masked-LM pretraining as a {@link TrainingTask}: micro-batch g (see {@link MicroBatches}) reads its instances in
 * the epoch's order, masks them with the seed of (seed, g) and runs forward and backward with dropout seeded the same
 * way. A checkpoint therefore needs no data position beyond the step.
 */
final class MlmTrainingTask implements TrainingTask {
    private final BertConfig config;
    private final Vocab vocab;
    private final boolean doLowerCase;
    private final ParameterStore store;
    private final BertForMaskedLM model;
    private final List<Instance> train;
    private final MaskingCollator collator;
    private final MlmEvaluator evaluator; // null without held-out data
    private final MicroBatches microBatches;

    MlmTrainingTask(BertConfig config, Vocab vocab, boolean doLowerCase, ParameterStore store, BertForMaskedLM model,
                    List<Instance> train, MaskingCollator collator, MlmEvaluator evaluator, MicroBatches microBatches) {
        this.config = config;
        this.vocab = vocab;
        this.doLowerCase = doLowerCase;
        this.store = store;
        this.model = model;
        this.train = train;
        this.collator = collator;
        this.evaluator = evaluator;
        this.microBatches = microBatches;
    }

    @Override
    public ParameterStore store() {
        return store;
    }

    @Override
    public double forwardBackward(long step, int micro, double scale, Map<String, Object> metrics) {
        long g = microBatches.index(step, micro);
        List<Instance> batch = new ArrayList<>();
        for (int i : microBatches.examples(g)) {
            batch.add(train.get(i));
        }
        Batch b = collator.collate(batch, microBatches.seed(SeedPurpose.MASKING, g));
        model.bert().reseedDropout(microBatches.seed(SeedPurpose.DROPOUT, g));
        BertForMaskedLM.Result r = model.forwardBackward(b.inputIds(), b.tokenTypeIds(), b.attentionMask(),
                b.maskedRows(), b.maskedLabels(), scale);
        mergeMetrics(metrics, Map.of("masked_correct", (long) r.correct(), "masked_tokens", (long) r.predictions(),
                "tokens", (long) b.inputIds().length * b.seqLen(), "epoch", microBatches.epochOf(g)));
        return r.loss();
    }

    /** Adds one or more micro-batches' counts into the step's row; the epoch is the latest one's. */
    static void mergeMetrics(Map<String, Object> row, Map<String, Object> more) {
        for (String count : List.of("masked_correct", "masked_tokens", "tokens")) {
            row.merge(count, more.get(count), (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
        }
        row.put("epoch", more.get("epoch"));
        row.put("masked_accuracy", ((Number) row.get("masked_correct")).doubleValue()
                / ((Number) row.get("masked_tokens")).doubleValue());
    }

    @Override
    public void writeModel(Path dir) throws IOException {
        ModelDirectory.save(dir, config, vocab, doLowerCase, store, Map.of());
    }

    @Override
    public void afterCheckpoint(long step, Path checkpoint, Map<String, Object> metrics) {
        MlmEvaluator.Score s = evaluator == null ? null : evaluator.evaluate(model);
        if (s != null && s.maskedTokens() > 0) {
            metrics.put("eval_loss", s.loss());
            metrics.put("eval_masked_accuracy", s.accuracy());
            metrics.put("eval_perplexity", s.perplexity());
        }
    }
}
