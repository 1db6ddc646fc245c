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
    QUICKSTART(new Values("1e-3", Pretraining.POST_NORM_WARMUP, 0.2, 32, 64));

    /** A recipe's values, the learning rate as written so that the line printed at start reads as the docs do. */
    private record Values(String learningRate, long warmupSteps, double decayRatio, int batchSize, int maxSeqLen) {
    }

    private final Values values;

    PretrainingRecipe(Values values) {
        this.values = values;
    }

    /** The recipe's values under {@code pretrain}'s option names, in the order they are printed. */
    public Map<String, String> asOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--learning-rate", values.learningRate());
        options.put("--warmup-steps", Long.toString(values.warmupSteps()));
        options.put("--decay-ratio", Double.toString(values.decayRatio()));
        options.put("--batch-size", Integer.toString(values.batchSize()));
        options.put("--max-seq-len", Integer.toString(values.maxSeqLen()));
        return options;
    }

    /** Sets the recipe's values on {@code options}; setters called afterwards override them. */
    public Pretraining.Builder applyTo(Pretraining.Builder options) {
        return options.learningRate(Double.parseDouble(values.learningRate())).warmupSteps(values.warmupSteps())
                .decayRatio(values.decayRatio()).batchSize(values.batchSize()).maxSeqLen(values.maxSeqLen());
    }
}
