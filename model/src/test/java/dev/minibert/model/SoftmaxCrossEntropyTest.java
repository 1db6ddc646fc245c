package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The loss loops against a hand-written double reference (log-sum-exp per row, torch's weighted mean), in float and
 * double, on logits far from 0 (the max shift matters) and on a logits view that is not row-major.
 */
class SoftmaxCrossEntropyTest {
    private static final int ROWS = 7;
    private static final int CLASSES = 13;

    private record Case(double[][] logits, int[] labels, double[] weights) {
    }

    private static Case randomCase(long seed, boolean weighted) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] logits = new double[ROWS][CLASSES];
        int[] labels = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            for (int c = 0; c < CLASSES; c++) {
                // float-representable, so the float run sees exactly these; exp(200) overflows float: only a shifted exp works
                logits[i][c] = (float) (200 + rng.nextDouble(-8, 8));
            }
            labels[i] = i == 3 ? labels[1] : rng.nextInt(CLASSES); // a repeated label too
        }
        double[] weights = null;
        if (weighted) {
            weights = new double[CLASSES];
            for (int c = 0; c < CLASSES; c++) {
                weights[c] = rng.nextDouble(0.1, 3);
            }
        }
        return new Case(logits, labels, weights);
    }

    /** Σ w[y]·(log Σ exp(x) - x_y) / Σ w[y], and its gradient scale·w[y]·(softmax - onehot(y)) / Σ w[y]. */
    private static double referenceLoss(Case k, double scale, double[][] grad) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < ROWS; i++) {
            den += k.weights == null ? 1 : k.weights[k.labels[i]];
        }
        for (int i = 0; i < ROWS; i++) {
            double w = k.weights == null ? 1 : k.weights[k.labels[i]];
            double max = Double.NEGATIVE_INFINITY;
            for (double v : k.logits[i]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : k.logits[i]) {
                sum += Math.exp(v - max);
            }
            num += w * (max + Math.log(sum) - k.logits[i][k.labels[i]]);
            for (int c = 0; c < CLASSES; c++) {
                grad[i][c] = scale * w * (Math.exp(k.logits[i][c] - max) / sum - (c == k.labels[i] ? 1 : 0)) / den;
            }
        }
        return num / den;
    }

    @ParameterizedTest
    @CsvSource({"DOUBLE,false", "DOUBLE,true", "FLOAT,false", "FLOAT,true"})
    void lossAndGradientMatchAPlainDoubleLoop(DataType type, boolean weighted) {
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 2e-6;
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(weighted ? randomCase(5, true).weights : null);
        // twice on the same instance with different logits: the reused buffers must not leak the first call
        for (long seed : new long[] {5, 6}) {
            Case k = new Case(randomCase(seed, false).logits, randomCase(seed, false).labels,
                    weighted ? randomCase(5, true).weights : null);
            double[][] expectedGrad = new double[ROWS][CLASSES];
            double expected = referenceLoss(k, 0.25, expectedGrad);
            // a column-major copy: the loss reads it through a row-major copy
            INDArray logits = Nd4j.createFromArray(k.logits).castTo(type).dup('f');
            assertThat(ce.forward(logits, k.labels)).isCloseTo(expected, within(tolerance * Math.max(1, expected)));
            INDArray grad = ce.backward(0.25);
            assertThat(grad.dataType()).isEqualTo(type);
            for (int i = 0; i < ROWS; i++) {
                for (int c = 0; c < CLASSES; c++) {
                    assertThat(grad.getDouble(i, c)).as("seed %d d/dlogit[%d][%d]", seed, i, c)
                            .isCloseTo(expectedGrad[i][c], within(tolerance));
                }
            }
        }
    }

    @Test
    void keepsItsBufferWhileTheShapeHoldsAndFreesItWhenOutgrown() {
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        ce.forward(Nd4j.zeros(DataType.FLOAT, 3, 4), new int[] {0, 1, 2});
        INDArray first = ce.backward(1);
        ce.forward(Nd4j.ones(DataType.FLOAT, 3, 4), new int[] {0, 1, 2});
        assertThat(ce.backward(1)).isSameAs(first);
        ce.forward(Nd4j.zeros(DataType.FLOAT, 2, 4), new int[] {0, 1});
        assertThat(ce.backward(1).data()).as("fewer rows: the same memory").isSameAs(first.data());
        ce.forward(Nd4j.zeros(DataType.FLOAT, 5, 4), new int[] {0, 1, 2, 3, 0});
        assertThat(first.data().wasClosed()).isTrue();
        assertThat(ce.backward(1).data().wasClosed()).isFalse();
    }

    @Test
    void backwardRunsOncePerForwardAndLabelsMustBeClasses() {
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        assertThatThrownBy(() -> ce.backward(1)).isInstanceOf(IllegalStateException.class);
        INDArray logits = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        assertThat(ce.forward(logits, new int[] {0, 2})).isCloseTo(Math.log(3), within(1e-15));
        ce.backward(1);
        assertThatThrownBy(() -> ce.backward(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ce.forward(logits, new int[] {0, 3})).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ce.forward(logits, new int[] {0})).hasMessageContaining("labels");
    }
}
