package dev.minibert.eval.experiments;

import java.util.Arrays;

/**
 * The logged steps between {@code from} and {@code to} inclusive where a claim is read. A run too short to reach
 * the requested window is read over all its steps, and the window says so by its bounds.
 */
record Window(long from, long to, int first, int last) {

    static Window of(double[] steps, long from, long to) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] >= from && steps[i] <= to) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first < 0) {
            return new Window((long) steps[0], (long) steps[steps.length - 1], 0, steps.length - 1);
        }
        return new Window((long) steps[first], (long) steps[last], first, last);
    }

    /** The median of {@code values} over the window's steps. */
    double median(double[] values) {
        return Medians.of(Arrays.copyOfRange(values, first, last + 1));
    }
}
