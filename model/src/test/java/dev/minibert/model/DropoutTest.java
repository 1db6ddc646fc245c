package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DropoutTest {
    private static final int N = 200_000;

    private static INDArray ones() {
        return Nd4j.ones(DataType.FLOAT, 400, N / 400);
    }

    @Test
    void isTheIdentityWhenNotTraining() {
        Dropout dropout = new Dropout(0.5);
        INDArray x = GradientCheck.randn(1, 4, 5);
        assertThat(dropout.forward(x, false)).isSameAs(x);
        INDArray dy = GradientCheck.randn(2, 4, 5);
        assertThat(dropout.backward(dy)).isSameAs(dy);
    }

    @Test
    void keepsOneMinusPWithinABinomialBoundAndScalesKeptValues() {
        double p = 0.1;
        Dropout dropout = new Dropout(p);
        dropout.reseed(7);
        INDArray y = dropout.forward(ones(), true);
        long kept = y.neq(0).castTo(DataType.INT).sumNumber().longValue();
        double sd = Math.sqrt(N * p * (1 - p));
        assertThat((double) kept).isBetween(N * (1 - p) - 5 * sd, N * (1 - p) + 5 * sd);
        // every kept element is 1/(1-p): the expectation of the output is the input
        assertThat(y.castTo(DataType.DOUBLE).sumNumber().doubleValue()).isCloseTo(kept / (1 - p), org.assertj.core.data.Percentage.withPercentage(1e-4));
        assertThat(y.maxNumber().doubleValue()).isCloseTo(1 / (1 - p), org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void sameSeedSameMaskDifferentSeedDifferentMask() {
        Dropout dropout = new Dropout(0.3);
        dropout.reseed(11);
        INDArray a = dropout.forward(ones(), true).dup();
        INDArray next = dropout.forward(ones(), true).dup();
        dropout.reseed(11);
        INDArray b = dropout.forward(ones(), true).dup();
        dropout.reseed(12);
        INDArray c = dropout.forward(ones(), true).dup();
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
        assertThat(next).as("the stream advances between calls").isNotEqualTo(a);
    }

    @Test
    void backwardAppliesTheForwardMask() {
        Dropout dropout = new Dropout(0.5);
        INDArray y = dropout.forward(ones(), true).dup();
        assertThat(dropout.backward(ones())).isEqualTo(y);
    }

    @Test
    void rejectsInvalidProbability() {
        assertThatThrownBy(() -> new Dropout(1.0)).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> new Dropout(-0.1)).hasMessageContaining("[0, 1)");
    }
}
