package dev.minibert.eval.experiments;

/**
 * Reading a pretraining loss curve: where it sits on the unigram plateau (the loss of predicting every masked
 * token by its corpus frequency alone), and where it diverges. The loss is smoothed with a trailing moving
 * average first, so one noisy batch neither starts nor ends a plateau.
 */
public final class LossCurve {
    /** Steps in the trailing moving average. */
    static final int WINDOW = 5;
    /** Within this many nats of the unigram entropy counts as "on the plateau". */
    static final double PLATEAU_BAND = 0.3;
    /** A smoothed loss this many nats above its running minimum is an exploding step. */
    static final double EXPLOSION = 1.0;

    /** Plateau: the first step on it and the first step below it (-1: never reached, or never left). */
    public record Plateau(long firstStep, long leftAt) {
        public boolean reached() {
            return firstStep >= 0;
        }
    }

    private LossCurve() {
    }

    /** The trailing moving average over {@link #WINDOW} steps, skipping non-finite values. */
    public static double[] smooth(double[] loss) {
        double[] out = new double[loss.length];
        for (int i = 0; i < loss.length; i++) {
            double sum = 0;
            int n = 0;
            for (int j = Math.max(0, i - WINDOW + 1); j <= i; j++) {
                if (Double.isFinite(loss[j])) {
                    sum += loss[j];
                    n++;
                }
            }
            out[i] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }

    /** Where the smoothed loss first comes within {@link #PLATEAU_BAND} of {@code unigram}, and where it later drops below it. */
    public static Plateau plateau(double[] steps, double[] loss, double unigram) {
        double[] s = smooth(loss);
        long first = -1;
        for (int i = 0; i < s.length; i++) {
            if (first < 0 && Math.abs(s[i] - unigram) <= PLATEAU_BAND) {
                first = (long) steps[i];
            } else if (first >= 0 && s[i] < unigram - PLATEAU_BAND) {
                return new Plateau(first, (long) steps[i]);
            }
        }
        return new Plateau(first, -1);
    }

    /**
     * The first diverging step: a step the loop skipped as non-finite, or a smoothed loss {@link #EXPLOSION} nats
     * above the lowest smoothed loss before it; -1 if none.
     */
    public static long divergence(double[] steps, double[] loss, boolean[] skipped) {
        double[] s = smooth(loss);
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < s.length; i++) {
            if (skipped[i] || !Double.isFinite(loss[i]) || s[i] > best + EXPLOSION) {
                return (long) steps[i];
            }
            best = Math.min(best, s[i]);
        }
        return -1;
    }
}
