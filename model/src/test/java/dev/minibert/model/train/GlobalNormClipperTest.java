package dev.minibert.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class GlobalNormClipperTest {
    /** Gradients (3, 4) and (12): global norm sqrt(9 + 16 + 144) = 13. */
    private static ParameterStore store() {
        ParameterStore s = new ParameterStore(DataType.DOUBLE);
        Parameter a = s.add("a.weight", 2);
        a.grad().putScalar(0, 3);
        a.grad().putScalar(1, 4);
        s.add("b.bias", 1).grad().putScalar(0, -12);
        return s;
    }

    @Test
    void scalesAllGradientsByTheSameFactorLikeTorch() {
        ParameterStore s = store();

        double norm = new GlobalNormClipper(1.0).clip(s);

        assertThat(norm).isEqualTo(13.0);
        double coef = 1.0 / (13.0 + 1e-6);
        assertThat(s.get("a.weight").grad().getDouble(0)).isCloseTo(3 * coef, within(1e-15));
        assertThat(s.get("a.weight").grad().getDouble(1)).isCloseTo(4 * coef, within(1e-15));
        assertThat(s.get("b.bias").grad().getDouble(0)).isCloseTo(-12 * coef, within(1e-15));
        assertThat(GradientProbe.globalNorm(s)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void leavesGradientsBelowTheLimitUntouched() {
        ParameterStore s = store();

        assertThat(new GlobalNormClipper(13.5).clip(s)).isEqualTo(13.0);

        assertThat(s.get("a.weight").grad().getDouble(1)).isEqualTo(4.0);
        assertThat(s.get("b.bias").grad().getDouble(0)).isEqualTo(-12.0);
    }

    @Test
    void nonFiniteNormIsReturnedAndGradientsLeftForTheNanGuard() {
        ParameterStore s = store();
        s.get("a.weight").grad().putScalar(0, Double.NaN);
        assertThat(new GlobalNormClipper(1.0).clip(s)).isNaN();
        assertThat(s.get("b.bias").grad().getDouble(0)).isEqualTo(-12.0);

        s.get("a.weight").grad().putScalar(0, Double.POSITIVE_INFINITY);
        assertThat(new GlobalNormClipper(1.0).clip(s)).isInfinite();
        assertThat(s.get("a.weight").grad().getDouble(1)).isEqualTo(4.0);
    }

    @Test
    void rejectsNonPositiveMaxNorm() {
        assertThatThrownBy(() -> new GlobalNormClipper(0)).hasMessageContaining("max norm must be finite and > 0");
    }
}
