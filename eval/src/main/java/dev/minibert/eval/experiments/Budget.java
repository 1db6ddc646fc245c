package dev.minibert.eval.experiments;

import java.util.Locale;

/**
 * How large an experiment runs: the model and the training budget. {@code full} is docs/design.md's configuration
 * (the PyTorch peer's: 12 layers, hidden 128, 2 heads, intermediate 512, batch 16, length 64, lr 1e-3);
 * {@code small} keeps its width but halves the depth and cuts the steps so that three seeds of one experiment, and
 * the PyTorch peer beside the first, finish in about ten minutes on 2 cores (measured in docs/experiments-method.md);
 * {@code tiny} is for tests.
 *
 * @param pretrainSteps steps of each pretraining run (attenuation, warmup, finetune-drift)
 * @param gammaSteps    steps of each head-ln run: gamma growth needs longer than gradient attenuation (small: 200;
 *                      three seeds of 300 steps showed it with an interval 30 times narrower than its size but took
 *                      11 minutes without the peer under load, and the gamma it reads was 1.049 in each by step 100)
 * @param finetuneRows  labeled training rows sampled for finetune-drift (dev: a quarter of it)
 * @param troughFrom    first step of the window where post-norm's attenuation lives: at lr 1e-3 it is a transient,
 *                      deepest between steps 60 and 150 and recovered by ~200 (README findings, ours and the peer's)
 * @param troughTo      last step of that window
 */
public record Budget(String name, int layers, int hidden, int heads, int intermediate, int batchSize, int seqLen,
                     double learningRate, int pretrainSteps, int gammaSteps, int finetuneRows, int finetuneEpochs,
                     int troughFrom, int troughTo) {

    public static final Budget TINY = new Budget("tiny", 2, 32, 2, 64, 4, 16, 1e-3, 4, 6, 24, 1, 2, 4);
    public static final Budget SMALL = new Budget("small", 6, 128, 2, 512, 16, 64, 1e-3, 160, 200, 640, 2, 60, 150);
    public static final Budget FULL = new Budget("full", 12, 128, 2, 512, 16, 64, 1e-3, 400, 800, 1600, 2, 60, 150);

    public static Budget named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" -> TINY;
            case "small" -> SMALL;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("unknown budget '" + name + "' (tiny, small or full)");
        };
    }

    /** Predictions per sequence: 15% of its length, rounded up (Google's 20 for length 128). */
    public int maxPredictionsPerSeq() {
        return (int) Math.ceil(0.15 * seqLen);
    }
}
