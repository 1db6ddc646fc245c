package dev.minibert.model.kernels;

import dev.minibert.model.FlatView;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The kernels as plain loops over {@link FlatView}s, in double whatever the array type, one element or row at a
 * time in order, on the calling thread: the formulas to read, and the truth {@link FastKernels} is tested against.
 * GELU's Φ comes from ND4J's erf op, the one thing Java's Math lacks.
 */
enum ReferenceKernels implements Kernels {
    INSTANCE;

    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    @Override
    public LayerNormKernel layerNorm() {
        return new ReferenceLayerNorm();
    }

    @Override
    public void attentionSoftmax(INDArray scores, INDArray maskBias, double scale) {
        forEachRow(scores, maskBias, scores.size(1) * scores.size(2), (row, mask) -> {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < row.length; j++) {
                row[j] = row[j] * scale + mask[j];
                max = Math.max(max, row[j]);
            }
            double sum = 0;
            for (int j = 0; j < row.length; j++) {
                row[j] = Math.exp(row[j] - max);
                sum += row[j];
            }
            for (int j = 0; j < row.length; j++) {
                row[j] /= sum;
            }
        });
    }

    @Override
    public INDArray attentionSoftmaxBackward(INDArray dProbs, INDArray probs, double scale) {
        forEachRow(dProbs, probs, 1, (d, p) -> {
            double dot = 0; // Σ_j dP·P
            for (int j = 0; j < d.length; j++) {
                dot += d[j] * p[j];
            }
            for (int j = 0; j < d.length; j++) {
                d[j] = scale * p[j] * (d[j] - dot);
            }
        });
        return dProbs;
    }

    /** Changes a row in place, given the matching row of another array. */
    private interface RowUpdate {
        void apply(double[] row, double[] other);
    }

    /** For each row r of the last axis of target: update(row r, row r / otherEvery of other), then writes row r. */
    private static void forEachRow(INDArray target, INDArray other, long otherEvery, RowUpdate update) {
        int width = (int) target.size(-1);
        FlatView t = FlatView.of(target);
        FlatView o = FlatView.of(FlatView.plain(other));
        double[] row = new double[width];
        double[] otherRow = new double[width];
        for (int r = 0; r < target.length() / width; r++) {
            t.read(r * width, row);
            o.read((int) (r / otherEvery) * width, otherRow);
            update.apply(row, otherRow);
            t.write(r * width, row);
        }
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
    public void drawMaskWords(long seed, int threshold, long length, long[] kept, int firstWord, int endWord) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int w = firstWord; w < endWord; w++) {
            int n = (int) Math.min(64, length - 64L * w);
            long word = 0;
            for (int b = 0; b < n; b += 2) { // elements 2k and 2k+1 share a draw; 64 is even
                long bits = random.nextLong();
                // 1 when u >= threshold, without a branch: a random 10% branch mispredicts
                long first = ((bits >>> 40) - threshold) >>> 63 ^ 1;
                long second = (((bits >>> 8) & 0xFFFFFF) - threshold) >>> 63 ^ 1;
                word |= first << b | second << (b + 1);
            }
            kept[w] = n == 64 ? word : word & (1L << n) - 1; // an odd length's last draw has no second element
        }
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
    public void applyMaskAdding(INDArray in, long[] kept, double scale, INDArray addend, INDArray out) {
        applyMask(in, kept, scale, out); // rounded to out's type, then the sum: two roundings, as the layers had
        sum(out, addend, out);
    }

    @Override
    public void sum(INDArray a, INDArray b, INDArray out) {
        FlatView x = FlatView.of(FlatView.plain(a));
        FlatView y = FlatView.of(FlatView.plain(b));
        FlatView to = FlatView.of(out);
        for (int i = 0; i < out.length(); i++) {
            to.set(i, x.get(i) + y.get(i)); // two floats' sum in double, rounded once: the float sum exactly
        }
    }

    @Override
    public void addColumnSums(INDArray x, INDArray target) {
        target.addi(x.sum(0));
    }

    @Override
    public void gatherRows(INDArray table, int[] ids, INDArray out) {
        checkRows("gather", table, ids, out);
        int width = (int) table.columns();
        FlatView from = FlatView.of(FlatView.plain(table));
        FlatView to = FlatView.of(out);
        for (int n = 0; n < ids.length; n++) {
            from.copyTo(ids[n] * width, to, n * width, width);
        }
    }

    @Override
    public void scatterAddRows(INDArray target, int[] ids, INDArray rows) {
        checkRows("scatter-add", target, ids, rows);
        int width = (int) target.columns();
        scatterAddColumns(FlatView.of(target), ids, FlatView.of(FlatView.plain(rows)), width, 0, width);
    }

    /** Columns [from, to) of {@link #scatterAddRows}, target [R,width] and rows [N,width] flat. */
    static void scatterAddColumns(FlatView target, int[] ids, FlatView rows, int width, int from, int to) {
        double[] sum = new double[to - from];
        double[] add = new double[to - from];
        for (int n = 0; n < ids.length; n++) {
            target.read(ids[n] * width + from, sum);
            rows.read(n * width + from, add);
            for (int j = 0; j < sum.length; j++) {
                sum[j] += add[j];
            }
            target.write(ids[n] * width + from, sum);
        }
    }

    /** What gather and scatter-add need of table [R,D], ids [N] and rows [N,D]: the same type, ids in [0,R). */
    static void checkRows(String what, INDArray table, int[] ids, INDArray rows) {
        long r = table.rows();
        if (table.rank() != 2 || rows.rank() != 2 || rows.rows() != ids.length || rows.columns() != table.columns()
                || rows.dataType() != table.dataType()) {
            throw new IllegalArgumentException(what + ": " + Arrays.toString(rows.shape()) + " " + rows.dataType()
                    + " for " + ids.length + " rows of " + Arrays.toString(table.shape()) + " " + table.dataType());
        }
        for (int n = 0; n < ids.length; n++) {
            if (ids[n] < 0 || ids[n] >= r) {
                throw new IllegalArgumentException(what + ": row " + ids[n] + " at " + n + " is out of range [0," + r
                        + ")");
            }
        }
    }

    @Override
    public void crossEntropy(INDArray logits, int[] labels, INDArray exps, double[] invSums, double[] nll) {
        int classes = (int) logits.columns();
        FlatView x = FlatView.of(FlatView.plain(logits));
        FlatView e = FlatView.of(exps);
        double[] row = new double[classes];
        for (int i = 0; i < labels.length; i++) {
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
    }

    @Override
    public void crossEntropyBackward(INDArray exps, double[] invSums, int[] labels, double[] rowScales) {
        int classes = (int) exps.columns();
        FlatView e = FlatView.of(exps);
        double[] row = new double[classes];
        for (int i = 0; i < labels.length; i++) {
            double probScale = invSums[i] * rowScales[i];
            e.read(i * classes, row);
            for (int c = 0; c < classes; c++) {
                row[c] *= probScale;
            }
            row[labels[i]] -= rowScales[i];
            e.write(i * classes, row);
        }
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
