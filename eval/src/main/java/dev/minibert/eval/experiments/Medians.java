package dev.minibert.eval.experiments;

import java.util.Arrays;

/** Medians of step series: robust to the single noisy steps of a small batch. NaN entries (skipped steps) are ignored. */
final class Medians {
    private Medians() {
    }

    /** The median of the non-NaN values; NaN if there are none. */
    static double of(double[] v) {
        double[] sorted = Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
