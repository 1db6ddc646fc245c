package dev.minibert.model.kernels;

import dev.minibert.model.FlatView;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The kernels as plain loops over {@link FlatView}s, in double whatever the array type, one element or row at a
 * time in order, on the calling thread: the formulas to read, and the truth {@link FastKernels} is tested against.
 * GELU's Φ comes from ND4J's erf op, the one thing Java's Math lacks.
 */
final class ReferenceKernels implements Kernels {
    static final ReferenceKernels INSTANCE = new ReferenceKernels();
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private ReferenceKernels() {
    }

    @Override
    public LayerNormKernel layerNorm() {
        return new ReferenceLayerNorm();
    }

    @Override
    public void attentionSoftmax(INDArray scores, INDArray maskBias, double scale) {
        int seqLen = (int) scores.size(3);
        long rowsPerBatch = scores.size(1) * scores.size(2);
        FlatView s = FlatView.of(scores);
        FlatView mask = FlatView.of(FlatView.plain(maskBias));
        double[] row = new double[seqLen];
        double[] maskRow = new double[seqLen];
        for (int r = 0; r < scores.length() / seqLen; r++) {
            s.read(r * seqLen, row);
            mask.read((int) (r / rowsPerBatch) * seqLen, maskRow);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < seqLen; j++) {
                row[j] = row[j] * scale + maskRow[j];
                max = Math.max(max, row[j]);
            }
            double sum = 0;
            for (int j = 0; j < seqLen; j++) {
                row[j] = Math.exp(row[j] - max);
                sum += row[j];
            }
            for (int j = 0; j < seqLen; j++) {
                row[j] /= sum;
            }
            s.write(r * seqLen, row);
        }
    }

    @Override
    public INDArray attentionSoftmaxBackward(INDArray dProbs, INDArray probs, double scale) {
        int seqLen = (int) probs.size(-1);
        FlatView grad = FlatView.of(dProbs);
        FlatView p = FlatView.of(FlatView.plain(probs));
        double[] dRow = new double[seqLen];
        double[] pRow = new double[seqLen];
        for (int r = 0; r < probs.length() / seqLen; r++) {
            grad.read(r * seqLen, dRow);
            p.read(r * seqLen, pRow);
            double dot = 0; // Σ_j dP·P
            for (int j = 0; j < seqLen; j++) {
                dot += dRow[j] * pRow[j];
            }
            for (int j = 0; j < seqLen; j++) {
                dRow[j] = scale * pRow[j] * (dRow[j] - dot);
            }
            grad.write(r * seqLen, dRow);
        }
        return dProbs;
    }

    @Override
    public void gelu(INDArray x, INDArray out) {
        x.mul(cdf(x), out);
    }

    @Override
    public void geluBackward(INDArray x, INDArray dy, INDArray dx) {
        x.mul(x, dx).muli(-0.5);
        Transforms.exp(dx, false);
        dx.muli(x).muli(INV_SQRT_2PI).addi(cdf(x)).muli(dy); // dy · (x·φ(x) + Φ(x))
    }

    /** Φ(x) = (1 + erf(x/√2))/2. */
    private static INDArray cdf(INDArray x) {
        INDArray cdf = x.mul(INV_SQRT2);
        Nd4j.exec(new Erf(cdf, cdf));
        return cdf.addi(1).muli(0.5);
    }

    @Override
    public void applyMask(INDArray in, long[] kept, double scale, INDArray out) {
        FlatView from = FlatView.of(FlatView.plain(in));
        FlatView to = FlatView.of(out);
        for (int i = 0; i < in.length(); i++) {
            boolean keep = (kept[i >>> 6] & 1L << i) != 0;
            to.set(i, from.get(i) * (keep ? scale : 0));
        }
    }

    @Override
    public void addColumnSums(INDArray x, INDArray target) {
        target.addi(x.sum(0));
    }

    @Override
    public void adamW(INDArray value, INDArray grad, INDArray m, INDArray v, AdamWStep step) {
        FlatView w = FlatView.of(value);
        FlatView g = FlatView.of(grad);
        FlatView firstMoment = FlatView.of(m);
        FlatView secondMoment = FlatView.of(v);
        double beta1 = step.beta1();
        double beta2 = step.beta2();
        double bias1 = 1 - Math.pow(beta1, step.t());
        double bias2 = 1 - Math.pow(beta2, step.t());
        for (int i = 0; i < value.length(); i++) {
            double gi = g.get(i);
            double mi = beta1 * firstMoment.get(i) + (1 - beta1) * gi;
            double vi = beta2 * secondMoment.get(i) + (1 - beta2) * gi * gi;
            double mHat = mi / bias1;
            double vHat = vi / bias2;
            w.set(i, w.get(i) * step.decay() - step.lr() * mHat / (Math.sqrt(vHat) + step.eps()));
            firstMoment.set(i, mi);
            secondMoment.set(i, vi);
        }
    }
}
