package dev.minibert.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LinearWarmupDecayTest {
    @Test
    void risesLinearlyThroughWarmupThenDecaysToZeroLikeHuggingFace() {
        LinearWarmupDecay s = new LinearWarmupDecay(1e-3, 4, 10);
        // HF lambda: step/warmup while step < warmup, then (total - step)/(total - warmup), floored at 0
        double[] expected = {0, 0.25e-3, 0.5e-3, 0.75e-3, 1e-3, 1e-3 * 5 / 6, 1e-3 * 4 / 6, 1e-3 * 3 / 6,
            1e-3 * 2 / 6, 1e-3 / 6, 0, 0, 0};
        for (int step = 0; step < expected.length; step++) {
            assertThat(s.lr(step)).as("step %d", step).isCloseTo(expected[step], within(1e-18));
        }
    }

    @Test
    void aShorterDecayHoldsThePeakFirstLikeHuggingFaceWsd() {
        // HF get_wsd_schedule(warmup 2, stable 5, decay 3, linear): step/2; 1; max(0, 1 - (step - 7)/3)
        LinearWarmupDecay s = new LinearWarmupDecay(1.0, 2, 3, 10);
        double[] expected = {0, 0.5, 1, 1, 1, 1, 1, 1, 2.0 / 3, 1.0 / 3, 0, 0};
        for (int step = 0; step < expected.length; step++) {
            assertThat(s.lr(step)).as("step %d", step).isCloseTo(expected[step], within(1e-15));
        }
        LinearWarmupDecay constant = new LinearWarmupDecay(1.0, 2, 0, 10); // get_constant_schedule_with_warmup
        assertThat(constant.lr(1)).isEqualTo(0.5);
        assertThat(constant.lr(9)).isEqualTo(1.0);
        assertThatThrownBy(() -> new LinearWarmupDecay(1.0, 2, 9, 10)).hasMessageContaining("decay steps");
        assertThatThrownBy(() -> new LinearWarmupDecay(1.0, 2, -1, 10)).hasMessageContaining("decay steps");
    }

    @Test
    void zeroWarmupStartsAtThePeak() {
        LinearWarmupDecay s = new LinearWarmupDecay(2.0, 0, 4);
        assertThat(s.lr(0)).isEqualTo(2.0);
        assertThat(s.lr(1)).isEqualTo(1.5);
        assertThat(s.lr(3)).isEqualTo(0.5);
        assertThat(s.lr(4)).isZero();
    }

    @Test
    void warmupOverTheWholeRunNeverDecays() {
        LinearWarmupDecay s = new LinearWarmupDecay(1.0, 4, 4);
        assertThat(s.lr(2)).isEqualTo(0.5);
        assertThat(s.lr(4)).isZero(); // HF: max(1, total - warmup) guards the division
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new LinearWarmupDecay(0, 1, 10)).hasMessageContaining("peak learning rate");
        assertThatThrownBy(() -> new LinearWarmupDecay(Double.POSITIVE_INFINITY, 1, 10))
                .hasMessageContaining("peak learning rate");
        assertThatThrownBy(() -> new LinearWarmupDecay(1e-3, 1, 0)).hasMessageContaining("total steps must be > 0");
        assertThatThrownBy(() -> new LinearWarmupDecay(1e-3, -1, 10)).hasMessageContaining("warmup steps");
        assertThatThrownBy(() -> new LinearWarmupDecay(1e-3, 11, 10)).hasMessageContaining("warmup steps");
        assertThatThrownBy(() -> new LinearWarmupDecay(1e-3, 1, 10).lr(-1)).hasMessageContaining("step must be >= 0");
    }
}
