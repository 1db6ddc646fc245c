package dev.minibert.pretrain;

import java.util.List;

/**
 * Masked-LM accuracy and perplexity on held-out instances. The masks come from one fixed seed, so two
 * checkpoints (or two models) are scored on exactly the same masked tokens. A batch whose sequences hold
 * nothing the masking may choose (only [UNK] and special tokens, e.g. a short line in another script) has no
 * masked token and counts for nothing.
 */
public final class MlmEvaluator {
    /** loss: mean cross-entropy per masked token; perplexity = exp(loss). NaN loss and accuracy when maskedTokens is 0. */
    public record Score(double loss, double accuracy, long maskedTokens) {
        public double perplexity() {
            return Math.exp(loss);
        }
    }

    private final List<Instance> instances;
    private final MaskingCollator collator;
    private final int batchSize;
    private final long maskingSeed;

    public MlmEvaluator(List<Instance> instances, MaskingCollator collator, int batchSize, long maskingSeed) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("no held-out instances to evaluate on");
        }
        this.instances = instances; // not copied: shards are read from disk, and the caller does not change them
        this.collator = collator;
        this.batchSize = batchSize;
        this.maskingSeed = maskingSeed;
    }

    public Score evaluate(BertForMaskedLM model) {
        double lossSum = 0;
        long correct = 0;
        long total = 0;
        for (int from = 0, batch = 0; from < instances.size(); from += batchSize, batch++) {
            List<Instance> slice = instances.subList(from, Math.min(instances.size(), from + batchSize));
            Batch b = collator.collate(slice, maskingSeed + batch);
            if (b.maskedRows().length == 0) {
                continue;
            }
            BertForMaskedLM.Result r = model.evaluate(b.inputIds(), b.tokenTypeIds(), b.attentionMask(),
                    b.maskedRows(), b.maskedLabels());
            lossSum += r.loss() * r.predictions();
            correct += r.correct();
            total += r.predictions();
        }
        return new Score(lossSum / total, (double) correct / total, total);
    }
}
