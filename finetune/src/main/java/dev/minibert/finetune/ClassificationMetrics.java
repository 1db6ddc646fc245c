package dev.minibert.finetune;

import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * Single-label classification metrics with sklearn's definitions: per-class precision, recall and F1 are 0 where
 * undefined ({@code zero_division=0}); macro-F1 averages over the classes present in gold or predictions (sklearn's
 * default label set); micro-F1 pools all decisions. Bootstrap confidence intervals resample examples with
 * replacement and take the 2.5th and 97.5th percentiles (numpy's default linear interpolation, R-7).
 */
public final class ClassificationMetrics {
    private final int[] gold;
    private final int[] predicted;
    private final int numLabels;
    private final int[][] confusion;

    /** A confidence interval and the point estimate it surrounds. */
    public record Interval(double estimate, double lower, double upper) {
    }

    /** 95% bootstrap intervals of accuracy and macro-F1. */
    public record Bootstrap(Interval accuracy, Interval macroF1, int resamples) {
    }

    private ClassificationMetrics(int[] gold, int[] predicted, int numLabels) {
        this.gold = gold;
        this.predicted = predicted;
        this.numLabels = numLabels;
        this.confusion = confusion(gold, predicted, numLabels, null);
    }

    public static ClassificationMetrics of(int[] gold, int[] predicted, int numLabels) {
        if (gold.length != predicted.length) {
            throw new IllegalArgumentException(gold.length + " gold labels but " + predicted.length + " predictions");
        }
        if (gold.length == 0) {
            throw new IllegalArgumentException("no examples to score");
        }
        if (numLabels < 1) {
            throw new IllegalArgumentException("numLabels " + numLabels + " < 1");
        }
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < 0 || gold[i] >= numLabels || predicted[i] < 0 || predicted[i] >= numLabels) {
                throw new IllegalArgumentException("example " + i + ": gold " + gold[i] + " / predicted " + predicted[i]
                    + " outside [0, " + numLabels + ")");
            }
        }
        return new ClassificationMetrics(gold.clone(), predicted.clone(), numLabels);
    }

    public int count() {
        return gold.length;
    }

    public int numLabels() {
        return numLabels;
    }

    /** Counts by [gold][predicted]. */
    public int[][] confusion() {
        int[][] copy = new int[numLabels][];
        for (int g = 0; g < numLabels; g++) {
            copy[g] = confusion[g].clone();
        }
        return copy;
    }

    public double accuracy() {
        return accuracy(confusion, gold.length);
    }

    public double precision(int label) {
        return ratio(confusion[label][label], predictedCount(confusion, label));
    }

    public double recall(int label) {
        return ratio(confusion[label][label], goldCount(confusion, label));
    }

    public double f1(int label) {
        return f1(confusion, label);
    }

    public double macroF1() {
        return macroF1(confusion);
    }

    /** F1 of the pooled true/false positives; equals accuracy for single-label data over all classes. */
    public double microF1() {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int c = 0; c < numLabels; c++) {
            tp += confusion[c][c];
            fp += predictedCount(confusion, c) - confusion[c][c];
            fn += goldCount(confusion, c) - confusion[c][c];
        }
        return ratio(2.0 * tp, 2.0 * tp + fp + fn);
    }

    /** Percentile-bootstrap 95% intervals from {@code resamples} resamples of the examples, seeded. */
    public Bootstrap bootstrap(int resamples, long seed) {
        if (resamples < 2) {
            throw new IllegalArgumentException("resamples " + resamples + " < 2");
        }
        RandomGenerator rng = new Well19937c(seed);
        int n = gold.length;
        int[] draw = new int[n];
        double[] accuracies = new double[resamples];
        double[] macroF1s = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n; i++) {
                draw[i] = rng.nextInt(n);
            }
            int[][] m = confusion(gold, predicted, numLabels, draw);
            accuracies[r] = accuracy(m, n);
            macroF1s[r] = macroF1(m);
        }
        return new Bootstrap(interval(accuracy(), accuracies), interval(macroF1(), macroF1s), resamples);
    }

    private static Interval interval(double estimate, double[] samples) {
        Percentile p = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
        p.setData(samples);
        return new Interval(estimate, p.evaluate(2.5), p.evaluate(97.5));
    }

    /** Confusion counts over the examples, or over the example indices {@code draw} (with repeats). */
    private static int[][] confusion(int[] gold, int[] predicted, int numLabels, int[] draw) {
        int[][] m = new int[numLabels][numLabels];
        int n = draw == null ? gold.length : draw.length;
        for (int k = 0; k < n; k++) {
            int i = draw == null ? k : draw[k];
            m[gold[i]][predicted[i]]++;
        }
        return m;
    }

    private static double accuracy(int[][] m, int n) {
        long correct = 0;
        for (int c = 0; c < m.length; c++) {
            correct += m[c][c];
        }
        return (double) correct / n;
    }

    private static double macroF1(int[][] m) {
        double sum = 0;
        int present = 0;
        for (int c = 0; c < m.length; c++) {
            if (goldCount(m, c) + predictedCount(m, c) > 0) {
                sum += f1(m, c);
                present++;
            }
        }
        return sum / present;
    }

    /** 2TP / (2TP + FP + FN): the harmonic mean of precision and recall, 0 when both are undefined or 0. */
    private static double f1(int[][] m, int c) {
        double tp = m[c][c];
        return ratio(2 * tp, goldCount(m, c) + predictedCount(m, c));
    }

    private static long goldCount(int[][] m, int c) {
        long s = 0;
        for (int p = 0; p < m.length; p++) {
            s += m[c][p];
        }
        return s;
    }

    private static long predictedCount(int[][] m, int c) {
        long s = 0;
        for (int[] row : m) {
            s += row[c];
        }
        return s;
    }

    private static double ratio(double num, double den) {
        return den == 0 ? 0 : num / den;
    }
}
