package dev.minibert.pretrain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named, measured sets of pretraining hyperparameters: {@code pretrain --recipe NAME} and the library's
 * {@code Pretrain.recipe}. Each fills what no flag or setter gives.
 */
public enum PretrainingRecipe {
    /**
     * The quickstart's measured recipe (docs/experiments.md "Warmup decides when the plateau ends": 12 layers, hidden
     * 128, post-norm, from scratch): 90 warmup steps left the unigram plateau where 30-48 did not, the peak held until
     * the last 20% of the steps.
     */
    QUICKSTART("1e-3", Pretraining.POST_NORM_WARMUP, 0.2, 32, 64);

    private final String learningRate; // as written, so that the line printed at start reads as the docs do
    private final long warmupSteps;
    private final double decayRatio;
    private final int batchSize;
    private final int maxSeqLen;

    PretrainingRecipe(String learningRate, long warmupSteps, double decayRatio, int batchSize, int maxSeqLen) {
        this.learningRate = learningRate;
        this.warmupSteps = warmupSteps;
        this.decayRatio = decayRatio;
        this.batchSize = batchSize;
        this.maxSeqLen = maxSeqLen;
    }

    /** The recipe's values under {@code pretrain}'s option names, in the order they are printed. */
    public Map<String, String> asOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--learning-rate", learningRate);
        options.put("--warmup-steps", Long.toString(warmupSteps));
        options.put("--decay-ratio", Double.toString(decayRatio));
        options.put("--batch-size", Integer.toString(batchSize));
        options.put("--max-seq-len", Integer.toString(maxSeqLen));
        return options;
    }

    /** Sets the recipe's values on {@code options}; setters called afterwards override them. */
    public Pretraining.Builder applyTo(Pretraining.Builder options) {
        return options.learningRate(Double.parseDouble(learningRate)).warmupSteps(warmupSteps).decayRatio(decayRatio)
                .batchSize(batchSize).maxSeqLen(maxSeqLen);
    }
}
