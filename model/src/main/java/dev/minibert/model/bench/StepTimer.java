package dev.minibert.model.bench;

import java.util.Arrays;

/** Times a step after warm-up and reports the median, as the PyTorch peer does. */
public final class StepTimer {
    private StepTimer() {
    }

    /** Runs {@code warmup} untimed steps, then {@code steps} timed ones; returns the sorted seconds per step. */
    public static double[] time(Runnable step, int warmup, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] seconds = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t = System.nanoTime();
            step.run();
            seconds[i] = (System.nanoTime() - t) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds;
    }

    /** The peer's median: the upper middle element of the sorted times. */
    public static double median(double[] sorted) {
        return sorted[sorted.length / 2];
    }
}
