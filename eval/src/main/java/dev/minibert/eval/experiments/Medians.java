package dev.minibert.eval.experiments;

import java.util.Arrays;

/** Medians of step series: robust to the single noisy steps of a small batch. NaN entries (skipped steps) are ignored. */
final class Medians {
    private Medians() {
    }

    /** The median of the last {@code fraction} of the series (at least one value); NaN if all are NaN. */
    static double ofTail(double[] v, double fraction) {
        int from = Math.min(v.length - 1, (int) Math.floor(v.length * (1 - fraction)));
        double[] tail = Arrays.stream(v, Math.max(0, from), v.length).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (tail.length == 0) {
            return Double.NaN;
        }
        int m = tail.length / 2;
        return tail.length % 2 == 1 ? tail[m] : (tail[m - 1] + tail[m]) / 2;
    }
}
