package dev.minibert.eval.experiments;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The mean of per-seed values with its two-sided 95% Student-t confidence interval. NaN values (a seed that could not
 * measure the quantity) are left out; with fewer than two values the interval is unbounded, so it excludes nothing.
 */
public record Interval(double mean, double low, double high, int n) {
    static final double LEVEL = 0.95;

    public static Interval of(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).toArray();
        if (v.length == 0) {
            return new Interval(Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0);
        }
        double mean = Arrays.stream(v).average().orElseThrow();
        if (v.length < 2) {
            return new Interval(mean, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1);
        }
        double ss = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
        double sd = Math.sqrt(ss / (v.length - 1));
        double t = new TDistribution(v.length - 1).inverseCumulativeProbability(1 - (1 - LEVEL) / 2);
        double half = t * sd / Math.sqrt(v.length);
        return new Interval(mean, mean - half, mean + half, v.length);
    }

    public double width() {
        return high - low;
    }

    /** {@code 0.094 [0.081, 0.107]}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.4g [%.4g, %.4g]", mean, low, high);
    }
}
