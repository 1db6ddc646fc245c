package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mean cross-entropy of softmax(logits) against integer labels, as torch's {@code F.cross_entropy}:
 * <pre>
 *   nll[i] = log Σ_c exp(x[i,c]) − x[i,label]            per row, by {@link Kernels#crossEntropy}
 *   loss   = Σ_i w[label_i]·nll[i] / Σ_i w[label_i]       w = 1 without class weights
 * </pre>
 * The MLM head and the classifier share it; the kernels are chosen by the logits' data type.
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
        double[] nll = new double[n];
        Kernels.forType(logits.dataType()).crossEntropy(logits, labels, exps, invSums, nll);
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
        double[] rowScales = new double[labels.length];
        for (int i = 0; i < rowScales.length; i++) {
            rowScales[i] = weight(labels[i]) * scale / weightSum;
        }
        Kernels.forType(exps.dataType()).crossEntropyBackward(exps, invSums, labels, rowScales);
        labels = null;
        return exps;
    }

    private double weight(int label) {
        return classWeights == null ? 1.0 : classWeights[label];
    }
}
