package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LossCurveTest {
    private static double[] steps(int n) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = i + 1;
        }
        return s;
    }

    @Test
    void smoothingIsATrailingMeanThatSkipsNonFiniteLosses() {
        double[] s = LossCurve.smooth(new double[] {10, 8, Double.NaN, 6, 4, 2, 0});
        assertThat(s[0]).isEqualTo(10);
        assertThat(s[2]).isEqualTo(9); // (10 + 8) / 2
        assertThat(s[4]).isEqualTo(7); // (10 + 8 + 6 + 4) / 4
        assertThat(s[6]).isCloseTo(3, within(1e-12)); // (6 + 4 + 2 + 0) / 4: the NaN left the window of 5
    }

    @Test
    void plateauStartsWithinTheBandAndEndsBelowIt() {
        // 9 → 6.4 (unigram 6.37) for 20 steps, then down to 5
        double[] loss = new double[40];
        for (int i = 0; i < 40; i++) {
            loss[i] = i < 10 ? 9 - 0.26 * i : i < 30 ? 6.4 : 5;
        }
        LossCurve.Plateau p = LossCurve.plateau(steps(40), loss, 6.37);
        // smoothed: step 12's window is steps 8-12 = {7.18, 6.92, 6.66, 6.4, 6.4} → 6.712 > 6.67; step 13 → 6.556
        assertThat(p.firstStep()).isEqualTo(13);
        // below 6.07: step 31 = (4 × 6.4 + 5) / 5 = 6.12 is not, step 32 = (3 × 6.4 + 2 × 5) / 5 = 5.84 is
        assertThat(p.leftAt()).isEqualTo(32);
        assertThat(LossCurve.plateau(steps(3), new double[] {9, 8.5, 8.4}, 6.37).reached()).isFalse();
    }

    @Test
    void divergenceIsANonFiniteStepOrALossThatClimbsOneNatAboveItsBest() {
        double[] flat = {8, 7, 6.5, 6.4, 6.4, 6.4};
        assertThat(LossCurve.divergence(steps(6), flat, new boolean[6])).isEqualTo(-1);
        boolean[] skipped = new boolean[6];
        skipped[4] = true;
        double[] nan = {8, 7, 6.5, 6.4, Double.NaN, 6.4};
        assertThat(LossCurve.divergence(steps(6), nan, skipped)).isEqualTo(5);
        // smoothed step 8 = (4 × 6.4 + 12) / 5 = 7.52, more than 1 nat above the best smoothed loss before it (6.4)
        double[] exploding = {6.4, 6.4, 6.4, 6.4, 6.4, 6.4, 6.4, 12, 12};
        assertThat(LossCurve.divergence(steps(9), exploding, new boolean[9])).isEqualTo(8);
    }
}
