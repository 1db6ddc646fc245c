package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rule a peer value is read by against our seeds: the range, where the value lies, and the chance 2/(n+1). */
class SeedRangeTest {

    @Test
    void theRangeOfTheSeedsWithoutNaNAndWhereAValueLies() {
        SeedRange r = SeedRange.of(new double[] {3.627, Double.NaN, 0.936, 2.806});
        assertThat(r).isEqualTo(new SeedRange(0.936, 3.627, 3));
        assertThat(r.place(0.917)).isEqualTo("below");
        assertThat(r.place(0.936)).isEqualTo("inside"); // the bounds belong to the range
        assertThat(r.place(3.627)).isEqualTo("inside");
        assertThat(r.place(3.7)).isEqualTo("above");
        assertThat(r.describe(0.917)).isEqualTo("below our 3 seeds' range [0.936, 3.63]");
        assertThat(SeedRange.of(new double[] {0.07}).describe(0.11)).isEqualTo("above our one seed's 0.0700");
        assertThat(SeedRange.of(new double[] {Double.NaN}).place(1)).isEqualTo("beside no seeds");
    }

    @Test
    void oneMoreDrawOfTheSameDistributionFallsOutsideTheRangeOfNWithProbabilityTwoOverNPlusOne() {
        SplittableRandom rng = new SplittableRandom(26);
        for (int n : new int[] {1, 3, 8}) {
            int outside = 0;
            int trials = 40_000;
            for (int t = 0; t < trials; t++) {
                double[] seeds = new double[n];
                for (int i = 0; i < n; i++) {
                    seeds[i] = Math.exp(rng.nextDouble() * 3); // skewed, as pre-norm's window medians are
                }
                outside += SeedRange.of(seeds).place(Math.exp(rng.nextDouble() * 3)).equals("inside") ? 0 : 1;
            }
            // binomial sd at most 0.0025: 0.01 is four of them
            assertThat((double) outside / trials).as("n = %d", n)
                    .isCloseTo(SeedRange.of(new double[n]).chanceOutside(), within(0.01));
        }
    }
}
