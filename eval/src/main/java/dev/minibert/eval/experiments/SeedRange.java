package dev.minibert.eval.experiments;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where one more run's value (the PyTorch peer's, beside the first seed) lies against the range of our seeds' values
 * of the same quantity, so that a peer statement separates seed-to-seed spread from a difference between the
 * implementations. Distribution-free: if the peer's value were one more draw of the same distribution as our n
 * seeds' (continuous, exchangeable), it would fall outside their range with probability 2/(n+1), half the time at
 * three seeds; so a value inside the range is what the same implementation would give, and one outside it is evidence
 * of a difference only as far as 2/(n+1) is small. NaN values (a seed that could not measure it) are left out.
 */
record SeedRange(double low, double high, int n) {

    static SeedRange of(double[] perSeed) {
        double[] v = Arrays.stream(perSeed).filter(x -> !Double.isNaN(x)).toArray();
        if (v.length == 0) {
            return new SeedRange(Double.NaN, Double.NaN, 0);
        }
        return new SeedRange(Arrays.stream(v).min().orElseThrow(), Arrays.stream(v).max().orElseThrow(), v.length);
    }

    /** The chance that one more draw of the same distribution falls outside the range of n: 2/(n+1). */
    double chanceOutside() {
        return n == 0 ? 1 : 2.0 / (n + 1);
    }

    /** "inside", "below" or "above" the range; "beside no seeds" when there are none. */
    String place(double value) {
        return n == 0 || Double.isNaN(value) ? "beside no seeds" : value < low ? "below" : value > high ? "above"
                : "inside";
    }

    /**
     * The clause every peer statement ends with: the peer's effect against our seeds' effects, and how often one more
     * draw of the same distribution would fall outside them.
     */
    String peerEffect(double value) {
        return String.format(Locale.ROOT, "the peer's effect %.3g lies %s (one more draw of the same distribution "
                + "falls outside the range of %d seeds with probability 2/(n+1) = %.2f, so only a value outside it, at "
                + "many seeds, would point at the implementations)", value, describe(value), n, chanceOutside());
    }

    /** {@code inside our 3 seeds' range [0.936, 3.63]} ({@code above our one seed's 0.936}). */
    String describe(double value) {
        return n == 1 ? String.format(Locale.ROOT, "%s our one seed's %.3g", place(value), low)
                : String.format(Locale.ROOT, "%s our %d seeds' range [%.3g, %.3g]", place(value), n, low, high);
    }
}
