package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mean cross-entropy of softmax(logits) against integer labels, as torch's {@code F.cross_entropy}:
 * with class weights the mean is weighted, {@code sum(w[y]·nll) / sum(w[y])}. The MLM head and the
 * classifier share it. Both passes are Java loops over NIO views, a row at a time: the max, exp and sum,
 * and in backward one scaling pass with the label fix-up, rather than ND4J ops (two broadcasts, a getDouble
 * or putScalar per row; docs/kernels.md).
 */
public final class SoftmaxCrossEntropy {
    private final double[] classWeights;
    private INDArray exps;     // [N,C] exp(x - rowMax); backward turns it into the gradient in place
    private double[] invSums;  // [N] 1 / Σ_c exp(x - rowMax)
    private int[] labels;
    private double weightSum;

    /** @param classWeights per-class weights, or null for the plain mean */
    public SoftmaxCrossEntropy(double[] classWeights) {
        this.classWeights = classWeights == null ? null : classWeights.clone();
    }

    public SoftmaxCrossEntropy() {
        this(null);
    }

    /** @param logits [N,C]; returns the (weighted) mean loss over the N rows. */
    public double forward(INDArray logits, int[] labels) {
        int n = (int) logits.rows();
        int classes = (int) logits.columns();
        if (labels.length != n) {
            throw new IllegalArgumentException("labels: " + labels.length + " for " + n + " rows of logits");
        }
        if (classWeights != null && classWeights.length != classes) {
            throw new IllegalArgumentException("class weights: " + classWeights.length + " for " + classes + " classes");
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " out of range [0," + classes + ") at row " + i);
            }
        }
        exps = Scratch.reuse(exps, logits.dataType(), n, classes); // the MLM head's row count changes every batch
        if (invSums == null || invSums.length != n) {
            invSums = new double[n];
        }
        FlatView x = FlatView.of(FlatView.plain(logits));
        FlatView e = FlatView.of(exps);
        // log-sum-exp with the row max shifted out: nll = log(Σ exp(x - max)) - (x_y - max)
        double[] nll = new double[n];
        Parallel.forRange(n, 1, Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / classes), (from, to) -> {
            double[] row = new double[classes];
            for (int i = from; i < to; i++) {
                x.read(i * classes, row);
                double max = Double.NEGATIVE_INFINITY;
                for (double v : row) {
                    max = Math.max(max, v);
                }
                double shiftedTarget = row[labels[i]] - max;
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    row[c] = Math.exp(row[c] - max);
                    sum += row[c];
                }
                e.write(i * classes, row);
                invSums[i] = 1 / sum;
                nll[i] = Math.log(sum) - shiftedTarget;
            }
        });
        double loss = 0; // summed in row order, whatever the split
        weightSum = 0;
        for (int i = 0; i < n; i++) {
            double w = weight(labels[i]);
            loss += w * nll[i];
            weightSum += w;
        }
        this.labels = labels.clone();
        return loss / weightSum;
    }

    /**
     * @return dLoss/dLogits [N,C] = w[y]·(softmax - onehot(y))·scale / Σw, scaled by {@code scale} (e.g. 1/accumulation
     * steps); it lives in this instance's buffer, valid until the next forward, and backward may run once per forward.
     */
    public INDArray backward(double scale) {
        if (labels == null) {
            throw new IllegalStateException("backward without a forward (or twice after one)");
        }
        int classes = (int) exps.columns();
        FlatView d = FlatView.of(exps);
        int[] rowLabels = labels;
        Parallel.forRange(rowLabels.length, 1, Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / classes), (from, to) -> {
            double[] row = new double[classes];
            for (int i = from; i < to; i++) {
                double rowScale = weight(rowLabels[i]) * scale / weightSum;
                double probScale = invSums[i] * rowScale;
                d.read(i * classes, row);
                for (int c = 0; c < classes; c++) {
                    row[c] *= probScale;
                }
                row[rowLabels[i]] -= rowScale;
                d.write(i * classes, row);
            }
        });
        labels = null;
        return exps;
    }

    private double weight(int label) {
        return classWeights == null ? 1.0 : classWeights[label];
    }
}
