package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Mean cross-entropy of softmax(logits) against integer labels, as torch's {@code F.cross_entropy}:
 * with class weights the mean is weighted, {@code sum(w[y]·nll) / sum(w[y])}. The MLM head and the
 * classifier share it; backward overwrites the logits buffer's gradient in one pass.
 */
public final class SoftmaxCrossEntropy {
    private final double[] classWeights;
    private INDArray probs;
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
        long n = logits.rows();
        long classes = logits.columns();
        if (labels.length != n) {
            throw new IllegalArgumentException("labels: " + labels.length + " for " + n + " rows of logits");
        }
        if (classWeights != null && classWeights.length != classes) {
            throw new IllegalArgumentException("class weights: " + classWeights.length + " for " + classes + " classes");
        }
        if (probs == null || !probs.equalShapes(logits) || probs.dataType() != logits.dataType()) {
            probs = Nd4j.createUninitialized(logits.dataType(), logits.shape());
        }
        // log-sum-exp with the row max shifted out: nll = log(sum exp(x - max)) - (x_y - max)
        probs.assign(logits);
        probs.subiColumnVector(probs.max(1).reshape(n, 1));
        double[] shiftedTarget = new double[(int) n];
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("label " + y + " out of range [0," + classes + ") at row " + i);
            }
            shiftedTarget[i] = probs.getDouble(i, y);
        }
        Transforms.exp(probs, false);
        INDArray sums = probs.sum(1).reshape(n, 1);
        probs.diviColumnVector(sums);
        double loss = 0;
        weightSum = 0;
        for (int i = 0; i < n; i++) {
            double w = weight(labels[i]);
            loss += w * (Math.log(sums.getDouble(i, 0)) - shiftedTarget[i]);
            weightSum += w;
        }
        this.labels = labels.clone();
        return loss / weightSum;
    }

    /** @return dLoss/dLogits [N,C], scaled by {@code scale} (e.g. 1/accumulation steps). */
    public INDArray backward(double scale) {
        INDArray d = probs;
        for (int i = 0; i < labels.length; i++) {
            d.putScalar(i, labels[i], d.getDouble(i, labels[i]) - 1);
        }
        if (classWeights == null) {
            d.muli(scale / weightSum);
        } else {
            double[] rowScale = new double[labels.length];
            for (int i = 0; i < labels.length; i++) {
                rowScale[i] = weight(labels[i]) * scale / weightSum;
            }
            d.muliColumnVector(Nd4j.createFromArray(rowScale).castTo(d.dataType()).reshape(labels.length, 1));
        }
        probs = null; // the buffer now holds the gradient; the next forward allocates afresh
        return d;
    }

    private double weight(int label) {
        return classWeights == null ? 1.0 : classWeights[label];
    }
}
