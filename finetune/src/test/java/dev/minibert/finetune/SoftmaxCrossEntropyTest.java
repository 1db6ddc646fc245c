package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.model.SoftmaxCrossEntropy;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The classifier's loss against hand-computed values: torch's weighted mean {@code Σ w[y]·nll / Σ w[y]}. */
class SoftmaxCrossEntropyTest {
    private static final double[][] LOGITS = {{1.0, 2.0, 0.5}, {-1.0, 0.0, 3.0}, {0.2, 0.1, -0.4}, {2.0, 2.0, 2.0}};
    private static final int[] LABELS = {1, 0, 2, 1};
    private static final double[] WEIGHTS = {2.0, 0.5, 1.5};

    private static double nll(double[] row, int y) {
        double sum = 0;
        for (double v : row) {
            sum += Math.exp(v);
        }
        return Math.log(sum) - row[y];
    }

    private static INDArray logits() {
        return Nd4j.createFromArray(LOGITS);
    }

    @Test
    void unweightedLossIsThePlainMean() {
        double expected = 0;
        for (int i = 0; i < LABELS.length; i++) {
            expected += nll(LOGITS[i], LABELS[i]) / LABELS.length;
        }
        assertThat(new SoftmaxCrossEntropy().forward(logits(), LABELS)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void weightedLossIsTheWeightedMeanAndItsGradientMatches() {
        double num = 0;
        double den = 0;
        for (int i = 0; i < LABELS.length; i++) {
            num += WEIGHTS[LABELS[i]] * nll(LOGITS[i], LABELS[i]);
            den += WEIGHTS[LABELS[i]];
        }
        // by hand: den = 0.5 + 2.0 + 1.5 + 0.5
        assertThat(den).isEqualTo(4.5);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(WEIGHTS);
        assertThat(ce.forward(logits(), LABELS)).isCloseTo(num / den, within(1e-12));
        INDArray grad = ce.backward(0.5).dup();
        for (int i = 0; i < LABELS.length; i++) {
            double sum = 0;
            for (double v : LOGITS[i]) {
                sum += Math.exp(v);
            }
            for (int c = 0; c < 3; c++) {
                double p = Math.exp(LOGITS[i][c]) / sum;
                double expected = 0.5 * WEIGHTS[LABELS[i]] * (p - (c == LABELS[i] ? 1 : 0)) / den;
                assertThat(grad.getDouble(i, c)).as("d/dlogit[%d][%d]", i, c).isCloseTo(expected, within(1e-12));
            }
        }
    }

    @Test
    void uniformWeightsGiveTheUnweightedLoss() {
        double plain = new SoftmaxCrossEntropy().forward(logits(), LABELS);
        assertThat(new SoftmaxCrossEntropy(new double[] {3, 3, 3}).forward(logits(), LABELS)).isCloseTo(plain, within(1e-12));
    }
}
