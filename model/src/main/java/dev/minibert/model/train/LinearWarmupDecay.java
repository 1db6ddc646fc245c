package dev.minibert.model.train;

/**
 * HF's get_linear_schedule_with_warmup: the learning rate of update number {@code step} (0-based, the
 * count of updates already done) rises linearly from 0 over the warmup, then falls linearly to 0 at the
 * last step. As in HF, the very first update of a run with warmup uses lr 0.
 */
public final class LinearWarmupDecay {
    private final double peakLr;
    private final long warmupSteps;
    private final long totalSteps;

    public LinearWarmupDecay(double peakLr, long warmupSteps, long totalSteps) {
        if (!(peakLr > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + peakLr);
        }
        if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmup steps (" + warmupSteps + ") <= total steps ("
                    + totalSteps + ") and total >= 1");
        }
        this.peakLr = peakLr;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    public double lr(long step) {
        if (step < warmupSteps) {
            return peakLr * step / warmupSteps;
        }
        return peakLr * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
