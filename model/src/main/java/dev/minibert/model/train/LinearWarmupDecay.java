package dev.minibert.model.train;

/**
 * HuggingFace {@code get_linear_schedule_with_warmup}: linear rise from 0 to the peak over the warmup,
 * then linear decay to 0 at {@code totalSteps}. With a shorter decay it is HF's warmup-stable-decay
 * ({@code get_wsd_schedule}, linear decay to 0): the peak holds until the last {@code decaySteps} steps, so a short
 * run keeps a high rate while it leaves the early loss plateau; decay 0 is {@code get_constant_schedule_with_warmup}.
 *
 * <p>The training loop passes the number of optimizer steps already taken: 0 for the first update, as
 * HF's {@code LambdaLR} does. So with warmup the very first update runs at lr 0.
 */
public final class LinearWarmupDecay {
    private final double peakLr;
    private final long warmupSteps;
    private final long decaySteps;
    private final long totalSteps;

    /** Decay over every step after the warmup (HF's linear schedule). */
    public LinearWarmupDecay(double peakLr, long warmupSteps, long totalSteps) {
        this(peakLr, warmupSteps, totalSteps - warmupSteps, totalSteps);
    }

    public LinearWarmupDecay(double peakLr, long warmupSteps, long decaySteps, long totalSteps) {
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
        if (decaySteps < 0 || decaySteps > totalSteps - warmupSteps) {
            throw new IllegalArgumentException("decay steps must be in [0, steps after warmup "
                    + (totalSteps - warmupSteps) + "], got " + decaySteps);
        }
        this.peakLr = peakLr;
        this.warmupSteps = warmupSteps;
        this.decaySteps = decaySteps;
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
        if (step < totalSteps - decaySteps) {
            return peakLr;
        }
        return peakLr * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, decaySteps));
    }
}
