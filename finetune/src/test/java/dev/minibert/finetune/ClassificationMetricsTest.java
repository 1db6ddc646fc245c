package dev.minibert.finetune;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

class ClassificationMetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void handComputedThreeClassCase() {
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 0, 1, 1, 2, 2}, new int[] {0, 1, 1, 1, 0, 2}, 3);
        assertThat(m.confusion()).isEqualTo(new int[][] {{1, 1, 0}, {0, 2, 0}, {1, 0, 1}});
        assertThat(m.accuracy()).isCloseTo(4.0 / 6, offset(EPS));
        // class 0: TP 1, FP 1, FN 1; class 1: TP 2, FP 1, FN 0; class 2: TP 1, FP 0, FN 1
        assertThat(m.precision(0)).isCloseTo(0.5, offset(EPS));
        assertThat(m.recall(0)).isCloseTo(0.5, offset(EPS));
        assertThat(m.f1(0)).isCloseTo(0.5, offset(EPS));
        assertThat(m.precision(1)).isCloseTo(2.0 / 3, offset(EPS));
        assertThat(m.recall(1)).isCloseTo(1.0, offset(EPS));
        assertThat(m.f1(1)).isCloseTo(0.8, offset(EPS));
        assertThat(m.precision(2)).isCloseTo(1.0, offset(EPS));
        assertThat(m.recall(2)).isCloseTo(0.5, offset(EPS));
        assertThat(m.f1(2)).isCloseTo(2.0 / 3, offset(EPS));
        assertThat(m.macroF1()).isCloseTo((0.5 + 0.8 + 2.0 / 3) / 3, offset(EPS));
        assertThat(m.microF1()).isCloseTo(4.0 / 6, offset(EPS));
    }

    @Test
    void matchesSklearnDocumentationExample() {
        // sklearn.metrics.f1_score docs: y_true=[0,1,2,0,1,2], y_pred=[0,2,1,0,0,1]
        // macro 0.26666..., micro 0.33333..., per class [0.8, 0, 0]
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 1, 2, 0, 1, 2}, new int[] {0, 2, 1, 0, 0, 1}, 3);
        assertThat(m.macroF1()).isCloseTo(0.26666666666666666, offset(EPS));
        assertThat(m.microF1()).isCloseTo(0.3333333333333333, offset(EPS));
        assertThat(new double[] {m.f1(0), m.f1(1), m.f1(2)}).containsExactly(new double[] {0.8, 0, 0}, offset(EPS));
    }

    @Test
    void undefinedRatiosAreZeroAndAbsentClassesDoNotCountInMacroF1() {
        // class 1 is never predicted (precision 0/0), class 3 appears nowhere
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 1, 2, 2}, new int[] {0, 0, 2, 2}, 4);
        assertThat(m.precision(1)).isZero();
        assertThat(m.recall(1)).isZero();
        assertThat(m.f1(1)).isZero();
        assertThat(m.precision(3)).isZero();
        assertThat(m.f1(3)).isZero();
        // f1: class 0 = 2/3, class 1 = 0, class 2 = 1; averaged over the 3 present classes like sklearn
        assertThat(m.macroF1()).isCloseTo((2.0 / 3 + 0 + 1) / 3, offset(EPS));
        assertThat(m.microF1()).isCloseTo(m.accuracy(), offset(EPS));
    }

    @Test
    void badInputIsRejected() {
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0, 1}, new int[] {0}, 2))
            .hasMessageContaining("2 gold labels but 1 predictions");
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0, 2}, new int[] {0, 1}, 2))
            .hasMessageContaining("example 1").hasMessageContaining("outside [0, 2)");
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[0], new int[0], 2)).hasMessageContaining("no examples");
    }

    /** n examples of 3 classes, each prediction correct with probability pCorrect. */
    private static ClassificationMetrics noisy(int n, double pCorrect, long seed) {
        Random rng = new Random(seed);
        int[] gold = new int[n];
        int[] pred = new int[n];
        for (int i = 0; i < n; i++) {
            gold[i] = rng.nextInt(3);
            pred[i] = rng.nextDouble() < pCorrect ? gold[i] : (gold[i] + 1 + rng.nextInt(2)) % 3;
        }
        return ClassificationMetrics.of(gold, pred, 3);
    }

    @Test
    void bootstrapIntervalsContainTheEstimateAndNarrowWithMoreSamples() {
        ClassificationMetrics small = noisy(60, 0.8, 1);
        ClassificationMetrics large = noisy(2000, 0.8, 2);
        ClassificationMetrics.Bootstrap s = small.bootstrap(1000, 3);
        ClassificationMetrics.Bootstrap l = large.bootstrap(1000, 3);
        for (ClassificationMetrics.Bootstrap b : new ClassificationMetrics.Bootstrap[] {s, l}) {
            assertThat(b.accuracy().estimate()).isBetween(b.accuracy().lower(), b.accuracy().upper());
            assertThat(b.macroF1().estimate()).isBetween(b.macroF1().lower(), b.macroF1().upper());
        }
        assertThat(s.accuracy().estimate()).isEqualTo(small.accuracy());
        double smallWidth = s.accuracy().upper() - s.accuracy().lower();
        double largeWidth = l.accuracy().upper() - l.accuracy().lower();
        assertThat(largeWidth).isLessThan(smallWidth / 3);
        assertThat(l.macroF1().upper() - l.macroF1().lower()).isLessThan((s.macroF1().upper() - s.macroF1().lower()) / 3);
        // the accuracy interval matches the normal approximation 2 * 1.96 * sqrt(p (1 - p) / n)
        double p = large.accuracy();
        assertThat(largeWidth).isCloseTo(2 * 1.96 * Math.sqrt(p * (1 - p) / 2000), offset(0.15 * largeWidth));
    }

    @Test
    void bootstrapIsReproducibleFromItsSeed() {
        ClassificationMetrics m = noisy(200, 0.7, 4);
        assertThat(m.bootstrap(300, 5)).isEqualTo(m.bootstrap(300, 5));
        assertThat(m.bootstrap(300, 6)).isNotEqualTo(m.bootstrap(300, 5));
    }
}
