package dev.minibert.model.train;

/**
 * HuggingFace {@code get_linear_schedule_with_warmup}: linear rise from 0 to the peak over the warmup,
 * then linear decay to 0 at {@code totalSteps}.
 *
 * <p>The training loop passes the number of optimizer steps already taken: 0 for the first update, as
 * HF's {@code LambdaLR} does. So with warmup the very first update runs at lr 0.
 */
public final class LinearWarmupDecay {
    private final double peakLr;
    private final long warmupSteps;
    private final long totalSteps;

    public LinearWarmupDecay(double peakLr, long warmupSteps, long totalSteps) {
        if (!(peakLr > 0) || Double.isInfinite(peakLr)) {
            throw new IllegalArgumentException("peak learning rate must be finite and > 0, got " + peakLr);
        }
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("total steps must be > 0, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("warmup steps must be in [0, total steps " + totalSteps + "], got "
                    + warmupSteps);
        }
        this.peakLr = peakLr;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    /** @param step optimizer steps completed before this update (0-based) */
    public double lr(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (step < warmupSteps) {
            return peakLr * ((double) step / Math.max(1, warmupSteps));
        }
        return peakLr * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
