package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DropoutTest {
    private static final int N = 200_000;

    private static INDArray ones() {
        return Nd4j.ones(DataType.FLOAT, 400, N / 400);
    }

    @Test
    void isTheIdentityWhenNotTraining() {
        Dropout dropout = new Dropout(0.5, Kernels.reference());
        INDArray x = GradientCheck.randn(1, 4, 5);
        assertThat(dropout.forward(x, false)).isSameAs(x);
        INDArray dy = GradientCheck.randn(2, 4, 5);
        assertThat(dropout.backward(dy)).isSameAs(dy);
    }

    @Test
    void keepsOneMinusPWithinABinomialBoundAndScalesKeptValues() {
        double p = 0.1;
        Dropout dropout = new Dropout(p, Kernels.forType(DataType.FLOAT));
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
        Dropout dropout = new Dropout(0.3, Kernels.forType(DataType.FLOAT));
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
        Dropout dropout = new Dropout(0.5, Kernels.forType(DataType.FLOAT));
        INDArray y = dropout.forward(ones(), true).dup();
        assertThat(dropout.backward(ones())).isEqualTo(y);
    }

    /**
     * The mask as documented, drawn here from the same SplittableRandom: each chunk of 65,536 elements from a
     * generator seeded by the next draw of the instance's, two 24-bit uniforms per nextLong, dropped when
     * u < ceil(p·2^24); kept values times 1/(1-p) rounded to the array's type. Output and gradient must equal
     * x·mask and dy·mask bit for bit (signed zeros included), over three chunks (drawn in parallel) and a length
     * that ends mid-word and mid-pair.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void forwardAndBackwardApplyTheDocumentedMaskBitForBit(DataType type) {
        double p = 0.3;
        int n = 3 * 43759; // 131,277: odd, not a multiple of 64, three chunks
        INDArray x = GradientCheck.randn(21, 3, 43759).castTo(type);
        INDArray dy = GradientCheck.randn(22, 3, 43759).castTo(type);
        Dropout dropout = new Dropout(p, Kernels.forType(type));
        dropout.reseed(23);
        double[] y = dropout.forward(x, true).dup().castTo(DataType.DOUBLE).data().asDouble();
        double[] dx = dropout.backward(dy).castTo(DataType.DOUBLE).data().asDouble();

        SplittableRandom seeds = new SplittableRandom(23);
        SplittableRandom random = null;
        int threshold = (int) Math.ceil(p * (1 << 24));
        double[] xs = x.castTo(DataType.DOUBLE).data().asDouble();
        double[] dys = dy.castTo(DataType.DOUBLE).data().asDouble();
        long bits = 0;
        for (int i = 0; i < n; i++) {
            if (i % 65536 == 0) {
                random = new SplittableRandom(seeds.nextLong());
            }
            if (i % 2 == 0) {
                bits = random.nextLong();
            }
            int u = (int) (i % 2 == 0 ? bits >>> 40 : (bits >>> 8) & 0xFFFFFF);
            boolean keep = u >= threshold;
            double expectedY;
            double expectedDx;
            if (type == DataType.FLOAT) {
                float mask = keep ? (float) (1 / (1 - p)) : 0f;
                expectedY = (float) xs[i] * mask;
                expectedDx = (float) dys[i] * mask;
            } else {
                double mask = keep ? 1 / (1 - p) : 0;
                expectedY = xs[i] * mask;
                expectedDx = dys[i] * mask;
            }
            assertThat(Double.doubleToRawLongBits(y[i])).as("y[%d]", i).isEqualTo(Double.doubleToRawLongBits(expectedY));
            assertThat(Double.doubleToRawLongBits(dx[i])).as("dx[%d]", i).isEqualTo(Double.doubleToRawLongBits(expectedDx));
        }
    }

    @Test
    void aViewIsMaskedInItsLogicalOrder() {
        INDArray x = GradientCheck.randn(24, 6, 9);
        INDArray view = x.get(NDArrayIndex.interval(1, 5), NDArrayIndex.interval(2, 7));
        Dropout dropout = new Dropout(0.4, Kernels.reference());
        dropout.reseed(25);
        INDArray expected = dropout.forward(view.dup('c'), true).dup();
        dropout.reseed(25);
        assertThat(dropout.forward(view, true)).isEqualTo(expected);
        assertThat(dropout.backward(view.transpose().transpose())).isEqualTo(expected);
    }

    @Test
    void rejectsInvalidProbability() {
        assertThatThrownBy(() -> new Dropout(1.0, Kernels.reference())).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> new Dropout(-0.1, Kernels.reference())).hasMessageContaining("[0, 1)");
    }
}
