package dev.minibert.model.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Every fast kernel against the reference backend on the same float inputs, the reference computing in double; each
 * bound is float rounding (2^-24 relative per operation) times the operations on the path, plus GELU's documented
 * erf error. Widths 13 and 67 leave scalar tails after the vectors. The attention softmax is held to its formulas by
 * {@link FastKernelsTest}.
 */
class KernelContractTest {
    private static final double ULP = 0x1p-24;
    private static final Kernels FAST = Kernels.fast();
    private static final Kernels REFERENCE = Kernels.reference();

    /**
     * The float forward and backward within {@link FloatLayerNormBound} (derived from float rounding, nothing
     * measured) of the double reference on the same floats, the backward's from the fast forward's x̂ and rstd. Widths below, at and past the vector width, with and without a tail (7, 67, 130; 128 and 768
     * the models'); rows near zero (mean 5, sd 3) and far from it (mean 1e3, sd 0.5, or mean −2e4, sd 4).
     */
    @Test
    void layerNormMatchesTheReference() {
        for (int hidden : new int[] {7, 67, 128, 130, 768}) {
            int rows = hidden == 768 ? 40 : 150;
            INDArray x = floats(1, rows, hidden);
            for (int r = 0; r < rows; r++) {
                INDArray row = x.getRow(r);
                switch (r % 3) {
                    case 0 -> row.muli(3).addi(5);
                    case 1 -> row.muli(0.5).addi(1e3); // far from zero: the float mean's rounding dominates
                    default -> row.muli(4).addi(-2e4);
                }
            }
            INDArray dy = floats(2, rows, hidden);
            // a float model's gamma and beta are floats: rounded here, so that the reference sees the kernel's
            double[] gamma = asFloats(doubles(3, hidden, 1, 0.1));
            double[] beta = asFloats(doubles(4, hidden, 0, 0.1));
            LayerNormRun fast = new LayerNormRun(FAST.layerNorm(), DataType.FLOAT, x, gamma, beta);
            fast.backward(dy, fast.xHat, fast.rstd);
            LayerNormRun reference = new LayerNormRun(REFERENCE.layerNorm(), DataType.DOUBLE, wide(x), gamma, beta);
            // the backward from the fast forward's float xHat and rstd, so that only the backward's own error is measured
            reference.backward(wide(dy), wide(fast.xHat), fast.rstd);

            double[][] xs = wide(x).toDoubleMatrix();
            double[][] fastXHat = wide(fast.xHat).toDoubleMatrix();
            double[][] refXHat = reference.xHat.toDoubleMatrix();
            double[][] fastY = wide(fast.y).toDoubleMatrix();
            double[][] refY = reference.y.toDoubleMatrix();
            for (int r = 0; r < rows; r++) {
                FloatLayerNormBound bound = new FloatLayerNormBound(xs[r], 1e-12);
                assertThat(bound.firstOrder()).as("H %d row %d: spread enough for the first-order bound", hidden, r)
                        .isTrue();
                // the double reference's own rounding: H + 4 roundings at 2^-53 of magnitudes up to max|x|, times
                // rstd (for x̂; y's also times |gamma|, plus its last rounding), far below the float bounds
                double maxAbs = 0;
                for (double v : xs[r]) {
                    maxAbs = Math.max(maxAbs, Math.abs(v));
                }
                double referenceError = (hidden + 4) * 0x1p-53 * maxAbs * reference.rstd[r];
                assertThat(Math.abs(fast.rstd[r] - reference.rstd[r])).as("H %d row %d rstd", hidden, r)
                        .isLessThanOrEqualTo(bound.rstd() + referenceError);
                for (int j = 0; j < hidden; j++) {
                    assertThat(Math.abs(fastXHat[r][j] - refXHat[r][j])).as("H %d row %d xHat %d", hidden, r, j)
                            .isLessThanOrEqualTo(bound.xHat(j) + referenceError);
                    assertThat(Math.abs(fastY[r][j] - refY[r][j])).as("H %d row %d y %d", hidden, r, j)
                            .isLessThanOrEqualTo(bound.y(j, gamma[j], refY[r][j])
                                    + referenceError * (1 + Math.abs(gamma[j])) + 0x1p-52 * Math.abs(refY[r][j]));
                }
            }
            // the backward, float too, against the double reference on the same dy, x̂ and rstd:
            // FloatLayerNormBound.inputGrad and columnSumFactor; the reference's own double sums add H + 4
            // roundings at 2^-53 of its terms
            double[][] dys = wide(dy).toDoubleMatrix();
            double[][] fastDx = wide(fast.dx).toDoubleMatrix();
            double[][] refDx = reference.dx.toDoubleMatrix();
            double[] gammaSumBound = new double[hidden];
            double[] betaSumBound = new double[hidden];
            double columnFactor = FloatLayerNormBound.columnSumFactor(rows);
            for (int r = 0; r < rows; r++) {
                double[] bound = FloatLayerNormBound.inputGrad(dys[r], gamma, fastXHat[r], fast.rstd[r]);
                double terms = 0;
                for (int j = 0; j < hidden; j++) {
                    terms += Math.abs(dys[r][j] * gamma[j]) * (1 + Math.abs(fastXHat[r][j]));
                }
                for (int j = 0; j < hidden; j++) {
                    double referenceError = (hidden + 4) * 0x1p-53 * fast.rstd[r] * terms * (1 + Math.abs(fastXHat[r][j]));
                    assertThat(Math.abs(fastDx[r][j] - refDx[r][j])).as("H %d row %d dx %d", hidden, r, j)
                            .isLessThanOrEqualTo(bound[j] + referenceError);
                    gammaSumBound[j] += columnFactor * Math.abs(dys[r][j] * fastXHat[r][j]);
                    betaSumBound[j] += columnFactor * Math.abs(dys[r][j]);
                }
            }
            for (int j = 0; j < hidden; j++) {
                // the blocks' float sums added in double, as the reference's double sums: 1e-13 per row
                assertThat(Math.abs(fast.gammaGrad[j] - reference.gammaGrad[j])).as("H %d gammaGrad %d", hidden, j)
                        .isLessThanOrEqualTo(gammaSumBound[j] + 1e-13 * rows);
                assertThat(Math.abs(fast.betaGrad[j] - reference.betaGrad[j])).as("H %d betaGrad %d", hidden, j)
                        .isLessThanOrEqualTo(betaSumBound[j] + 1e-13 * rows);
            }
        }
    }

    /** Inference's forward (no x̂ kept): rstd and y are the bits of the forward that keeps x̂, in both backends. */
    @Test
    void layerNormWithoutXHatGivesTheSameBits() {
        for (int hidden : new int[] {7, 128, 130}) {
            INDArray x = floats(5, 33, hidden).muli(3).addi(5);
            double[] gamma = asFloats(doubles(6, hidden, 1, 0.1));
            double[] beta = asFloats(doubles(7, hidden, 0, 0.1));
            for (Kernels kernels : new Kernels[] {FAST, REFERENCE}) {
                LayerNormKernel kernel = kernels.layerNorm();
                INDArray kept = Nd4j.create(DataType.FLOAT, x.shape());
                double[] keptRstd = new double[33];
                INDArray y = Nd4j.create(DataType.FLOAT, x.shape());
                kernel.forward(x, gamma, beta, 1e-12, kept, keptRstd, y);
                INDArray inference = Nd4j.create(DataType.FLOAT, x.shape());
                double[] rstd = new double[33];
                kernel.forward(x, gamma, beta, 1e-12, null, rstd, inference);
                assertThat(inference.data().asFloat()).as("%s H %d", kernels, hidden).isEqualTo(y.data().asFloat());
                assertThat(rstd).as("%s H %d", kernels, hidden).isEqualTo(keptRstd);
            }
        }
    }

    private static double[] asFloats(double[] values) {
        double[] floats = new double[values.length];
        for (int j = 0; j < values.length; j++) {
            floats[j] = (float) values[j];
        }
        return floats;
    }

    /** One LayerNorm kernel's forward, then backward, into arrays of one type. */
    private static final class LayerNormRun {
        final LayerNormKernel kernel;
        final DataType type;
        final double[] gamma;
        final INDArray xHat;
        final INDArray y;
        final double[] rstd;
        INDArray dx;
        final double[] gammaGrad;
        final double[] betaGrad;

        LayerNormRun(LayerNormKernel kernel, DataType type, INDArray x, double[] gamma, double[] beta) {
            this.kernel = kernel;
            this.type = type;
            this.gamma = gamma;
            xHat = Nd4j.create(type, x.shape());
            y = Nd4j.create(type, x.shape());
            rstd = new double[(int) x.rows()];
            gammaGrad = new double[gamma.length];
            betaGrad = new double[gamma.length];
            kernel.forward(x, gamma, beta, 1e-12, xHat, rstd, y);
        }

        void backward(INDArray dy, INDArray normalized, double[] rowRstd) {
            dx = Nd4j.create(type, dy.shape());
            kernel.backward(dy, normalized, gamma, rowRstd, dx, gammaGrad, betaGrad);
        }
    }

    /** noGrad's memory plan runs the GELU over its input (#24): the same bits as into another array, both backends. */
    @Test
    void geluInPlaceGivesTheSameBits() {
        for (Kernels kernels : new Kernels[] {FAST, REFERENCE}) {
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                if (kernels == FAST && type == DataType.DOUBLE) {
                    continue; // the fast kernels are float's
                }
                INDArray x = floats(9, 67, 13).muli(3).castTo(type);
                INDArray y = Nd4j.create(type, 67, 13);
                kernels.gelu(x, y);
                INDArray inPlace = x.dup();
                kernels.gelu(inPlace, inPlace);
                assertThat(inPlace.data().asDouble()).as("%s %s", kernels, type).containsExactly(y.data().asDouble());
            }
        }
    }

    @Test
    void geluMatchesTheReferenceWithinTheErfApproximation() {
        INDArray x = floats(5, 7, 13).muli(3);
        INDArray dy = floats(6, 7, 13);
        INDArray y = Nd4j.create(DataType.FLOAT, 7, 13);
        INDArray dx = Nd4j.create(DataType.FLOAT, 7, 13);
        FAST.gelu(x, y);
        FAST.geluBackward(x, dy, dx);
        INDArray refY = Nd4j.create(DataType.DOUBLE, 7, 13);
        INDArray refDx = Nd4j.create(DataType.DOUBLE, 7, 13);
        REFERENCE.gelu(wide(x), refY);
        REFERENCE.geluBackward(wide(x), wide(dy), refDx);
        double[] xs = wide(x).data().asDouble();
        double[] dys = wide(dy).data().asDouble();
        double[] ys = wide(y).data().asDouble();
        double[] dxs = wide(dx).data().asDouble();
        double[] refYs = refY.data().asDouble();
        double[] refDxs = refDx.data().asDouble();
        for (int i = 0; i < xs.length; i++) {
            double phi = Math.exp(-xs[i] * xs[i] / 2) / Math.sqrt(2 * Math.PI);
            // Φ within 7.5e-8 (A&S 7.1.26), then a few float roundings of y = x·Φ
            assertThat(Math.abs(ys[i] - refYs[i])).as("y[%d] at x=%s", i, xs[i])
                    .isLessThanOrEqualTo(7.5e-8 * Math.abs(xs[i]) + 4 * ULP * Math.abs(refYs[i]));
            // φ's exp sees x²/2 rounded in float: its relative error grows with x²
            double magnitude = 1 + Math.abs(xs[i]) * phi * (1 + xs[i] * xs[i] / 2);
            assertThat(Math.abs(dxs[i] - refDxs[i])).as("dx[%d] at x=%s", i, xs[i])
                    .isLessThanOrEqualTo(Math.abs(dys[i]) * (7.5e-8 + 8 * ULP * magnitude));
        }
    }

    /** The reference draws from SplittableRandom itself; the fast one computes its sequence in closed form. */
    @Test
    void dropoutMaskWordsAreSplittableRandomsBitForBit() {
        for (double p : new double[] {0.1, 0.5, 0.0, 0.99}) {
            int threshold = (int) Math.ceil(p * (1 << 24));
            for (long length : new long[] {64L * 37, 64L * 37 - 1, 64L * 36 + 2}) { // whole, odd and short last word
                long seed = 31 * length + threshold;
                long[] fast = new long[37];
                long[] reference = new long[37];
                fast[0] = reference[0] = 0x5A5A5A5AL; // a word before firstWord is left alone
                FAST.drawMaskWords(seed, threshold, length, fast, 1, 37);
                REFERENCE.drawMaskWords(seed, threshold, length, reference, 1, 37);
                assertThat(fast).as("p=%s length=%d", p, length).isEqualTo(reference);
            }
        }
    }

    @Test
    void dropoutMaskIsAppliedBitForBitAsTheReferenceDoes() {
        int n = 3 * 331; // not a multiple of 64: a partial last word
        INDArray x = floats(7, 3, 331);
        long[] kept = new DropoutMask(FAST).draw(new SplittableRandom(8), n, 0.3);
        float scale = (float) (1 / 0.7);
        INDArray fast = Nd4j.create(DataType.FLOAT, 3, 331);
        INDArray reference = Nd4j.create(DataType.FLOAT, 3, 331);
        FAST.applyMask(x, kept, scale, fast);
        REFERENCE.applyMask(x, kept, scale, reference);
        // float[] equality is bit for bit, signed zeros of x·0 included
        assertThat(fast.data().asFloat()).isEqualTo(reference.data().asFloat());
        long dropped = 0;
        for (float v : fast.data().asFloat()) {
            dropped += v == 0 ? 1 : 0;
        }
        assertThat(dropped).as("some dropped, most kept").isBetween(n / 5L, n / 2L);
    }

    /** A float sum is correctly rounded, and so is the reference's double sum of two floats stored back in float. */
    @Test
    void sumsMatchTheReferenceBitForBitInPlaceToo() {
        INDArray a = floats(23, 3, 331); // a scalar tail past the last vector
        INDArray b = floats(24, 3, 331).muli(1e-3);
        INDArray fast = Nd4j.create(DataType.FLOAT, 3, 331);
        INDArray reference = Nd4j.create(DataType.FLOAT, 3, 331);
        FAST.sum(a, b, fast);
        REFERENCE.sum(a, b, reference);
        assertThat(fast.data().asFloat()).isEqualTo(reference.data().asFloat())
                .as("ND4J's add, which it replaced").isEqualTo(a.add(b).data().asFloat());
        assertThat(fast.getFloat(2, 330)).isEqualTo(a.getFloat(2, 330) + b.getFloat(2, 330));
        FAST.sum(a, b, a);
        assertThat(a.data().asFloat()).as("into an input").isEqualTo(reference.data().asFloat());
    }

    /** Multiples of 2^-8 below 2^11 in every partial sum: float adds them exactly, so the sums must agree exactly. */
    @Test
    void columnSumsMatchTheReference() {
        INDArray x = Transforms.round(floats(9, 301, 67).muli(256), false).divi(256);
        INDArray fast = Transforms.round(floats(10, 67).muli(256), false).divi(256);
        INDArray reference = wide(fast);
        FAST.addColumnSums(x, fast);
        REFERENCE.addColumnSums(wide(x), reference);
        assertThat(wide(fast).data().asDouble()).containsExactly(reference.data().asDouble());
    }

    /** The gather is a copy; the fast scatter-add gives each element the reference's adds in the same order. */
    @Test
    void gatherAndScatterAddMatchTheReferenceBitForBit() {
        int[] ids = new int[300];
        for (int n = 0; n < ids.length; n++) {
            ids[n] = n * 37 % 101 % 23; // repeats
        }
        INDArray table = floats(20, 23, 131);
        INDArray fastRows = Nd4j.create(DataType.FLOAT, ids.length, 131);
        INDArray referenceRows = Nd4j.create(DataType.FLOAT, ids.length, 131);
        FAST.gatherRows(table, ids, fastRows);
        REFERENCE.gatherRows(table, ids, referenceRows);
        assertThat(fastRows.data().asFloat()).isEqualTo(referenceRows.data().asFloat());
        assertThat(fastRows.getRow(5)).isEqualTo(table.getRow(ids[5]));

        INDArray dy = floats(21, ids.length, 131);
        INDArray fast = floats(22, 23, 131);
        INDArray reference = fast.dup();
        FAST.scatterAddRows(fast, ids, dy);
        REFERENCE.scatterAddRows(reference, ids, dy);
        assertThat(fast.data().asFloat()).isEqualTo(reference.data().asFloat());
    }

    /** The fast cross-entropy runs the reference's row loops split over threads: the same bits. */
    @Test
    void crossEntropyMatchesTheReferenceBitForBit() {
        int rows = 37;
        int classes = 3001; // enough elements per row to split over the threads
        INDArray logits = floats(19, rows, classes).muli(4);
        int[] labels = new int[rows];
        double[] rowScales = new double[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i * 97 % classes;
            rowScales[i] = (1 + i % 3) / 7.0;
        }
        INDArray fastExps = Nd4j.create(DataType.FLOAT, rows, classes);
        INDArray referenceExps = Nd4j.create(DataType.FLOAT, rows, classes);
        double[][] fast = {new double[rows], new double[rows]};
        double[][] reference = {new double[rows], new double[rows]};
        FAST.crossEntropy(logits, labels, fastExps, fast[0], fast[1]);
        REFERENCE.crossEntropy(logits, labels, referenceExps, reference[0], reference[1]);
        assertThat(fast).isDeepEqualTo(reference);
        assertThat(fastExps.data().asFloat()).isEqualTo(referenceExps.data().asFloat());
        FAST.crossEntropyBackward(fastExps, fast[0], labels, rowScales);
        REFERENCE.crossEntropyBackward(referenceExps, reference[0], labels, rowScales);
        assertThat(fastExps.data().asFloat()).isEqualTo(referenceExps.data().asFloat());
        assertThat(fastExps.getDouble(0, labels[0])).as("the label's gradient is negative").isNegative();
    }

    /** Constants that floats hold exactly (β2 = 1 − 2^-10, ...), so that both backends use the same ones. */
    @Test
    void adamWMatchesTheReference() {
        int n = 1003;
        INDArray value = floats(11, n);
        INDArray grad = floats(12, n);
        INDArray m = floats(13, n).muli(0.1);
        INDArray v = floats(14, n);
        v.muli(v).muli(0.01); // a second moment: not negative
        INDArray refValue = wide(value);
        INDArray refM = wide(m);
        INDArray refV = wide(v);
        double lr = 0x1p-10;
        double beta1 = 0.875;
        double beta2 = 1 - 0x1p-10;
        double eps = 0x1p-20;
        int t = 4;
        Kernels.AdamWStep step = new Kernels.AdamWStep(lr, beta1, beta2, eps, 1 - 0x1p-14, t);
        double[] before = refValue.data().asDouble();
        double[] g = wide(grad).data().asDouble();
        FAST.adamW(value, grad, m, v, step);
        REFERENCE.adamW(refValue, wide(grad), refM, refV, step);
        double[] values = refValue.data().asDouble();
        double[] ms = refM.data().asDouble();
        double[] vs = refV.data().asDouble();
        double bias1 = 1 - Math.pow(beta1, t);
        double bias2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < n; i++) {
            // m = β1·m + (1−β1)·g: three roundings of terms no larger than these; m itself may cancel
            double mError = 3 * ULP * (Math.abs(ms[i]) + 2 * (1 - beta1) * Math.abs(g[i]));
            assertThat(Math.abs(m.getDouble(i) - ms[i])).as("m %d", i).isLessThanOrEqualTo(mError);
            // v: four roundings of positive terms
            assertThat(Math.abs(v.getDouble(i) - vs[i])).as("v %d", i).isLessThanOrEqualTo(4 * ULP * vs[i]);
            // the decayed value rounded twice; the update's ~10 roundings, and m's error carried through it
            double update = Math.abs(values[i] - before[i] * step.decay());
            double carried = lr / bias1 * mError / (Math.sqrt(vs[i] / bias2) + eps);
            assertThat(Math.abs(value.getDouble(i) - values[i])).as("value %d", i)
                    .isLessThanOrEqualTo(3 * ULP * Math.abs(values[i]) + 12 * ULP * update + carried);
        }
    }

    private static INDArray floats(long seed, long... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        long length = 1;
        for (long s : shape) {
            length *= s;
        }
        float[] values = new float[(int) length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return Nd4j.createFromArray(values).reshape(shape);
    }

    private static double[] doubles(long seed, int n, double mean, double sd) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = mean + sd * random.nextGaussian();
        }
        return values;
    }

    private static INDArray wide(INDArray x) {
        return x.castTo(DataType.DOUBLE);
    }
}
