package dev.minibert.model.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.Parallel;
import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Every fast kernel against the reference backend on the same float inputs, the reference computing in double; each
 * bound is float rounding (2^-24 relative per operation) times the operations on the path, plus GELU's documented
 * erf error and the float exp's (cross-entropy). Widths 13 and 67 leave scalar tails after the vectors. The attention softmax is held to its formulas by
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

    /**
     * x̂'s error follows the row's spread, not its offset: the float mean of a row at 2e4 is off by up to half its ulp
     * (1e-3), which an uncorrected x − mean would carry into x̂ (2.5e-4 at sd 4). First order, u = 2⁻²⁴, k = ⌈H/L⌉ + L
     * roundings per lane sum, σ the row's sd, r = 1/σ: d = x − m̂ rounds once (u·|d|, so u·|x̂| after scaling); the
     * correction c = Σd/H is off by γ_k·Σ|d|/H ≤ k·u·σ (Σ|d|/H ≤ σ), k·u after scaling; d − c and ·s round once each
     * (2u·|x̂|); the variance of the exact-to-u deviations is within (k + 3)·u relative, so s within (k + 3)·u/2 and x̂
     * by that times |x̂|. Together at most k·u + (3 + (k + 3)/2)·u·|x̂| ≤ (2k + 8)·u·(1 + |x̂|), against the double
     * reference (its own error far below).
     */
    @Test
    void layerNormErrorFollowsTheSpreadNotTheOffset() {
        for (int hidden : new int[] {7, 128, 130, 768}) {
            int rows = 40;
            INDArray x = floats(8, rows, hidden);
            for (int r = 0; r < rows; r++) {
                double offset = switch (r % 4) {
                    case 0 -> 2e4;
                    case 1 -> -2e4;
                    case 2 -> 1e3;
                    default -> 3;
                };
                x.getRow(r).muli(r % 4 == 2 ? 0.5 : 4).addi(offset);
            }
            double[] gamma = asFloats(doubles(9, hidden, 1, 0.1));
            double[] beta = asFloats(doubles(10, hidden, 0, 0.1));
            LayerNormRun fast = new LayerNormRun(FAST.layerNorm(), DataType.FLOAT, x, gamma, beta);
            LayerNormRun reference = new LayerNormRun(REFERENCE.layerNorm(), DataType.DOUBLE, wide(x), gamma, beta);
            double[][] fastXHat = wide(fast.xHat).toDoubleMatrix();
            double[][] refXHat = reference.xHat.toDoubleMatrix();
            int k = (hidden + FloatLanes.LANES - 1) / FloatLanes.LANES + FloatLanes.LANES;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < hidden; j++) {
                    double bound = (2 * k + 8) * ULP * (1 + Math.abs(refXHat[r][j]));
                    assertThat(Math.abs(fastXHat[r][j] - refXHat[r][j])).as("H %d row %d xHat %d", hidden, r, j)
                            .isLessThanOrEqualTo(bound);
                }
            }
        }
    }

    /**
     * A frozen layer's LayerNorm rows, a range at a time on the calling thread: each range gets the whole forward's
     * bits and nothing outside it is written, in both backends.
     */
    @Test
    void layerNormRowsGiveTheWholeForwardsBitsThere() {
        for (int hidden : new int[] {7, 128, 130}) {
            INDArray x = floats(11, 33, hidden).muli(3).addi(5);
            double[] gamma = asFloats(doubles(12, hidden, 1, 0.1));
            double[] beta = asFloats(doubles(13, hidden, 0, 0.1));
            for (Kernels kernels : new Kernels[] {FAST, REFERENCE}) {
                INDArray whole = Nd4j.create(DataType.FLOAT, x.shape());
                kernels.layerNorm().forward(x, gamma, beta, 1e-12, null, new double[33], whole);
                INDArray rows = Nd4j.create(DataType.FLOAT, x.shape());
                LayerNormKernel.Rows kernel = kernels.layerNorm().rows(gamma, beta, 1e-12);
                kernel.forward(x, rows, 10, 11);
                kernel.forward(x, rows, 20, 33);
                float[] expected = whole.data().asFloat();
                Arrays.fill(expected, 0, 10 * hidden, 0f);
                Arrays.fill(expected, 11 * hidden, 20 * hidden, 0f);
                assertThat(rows.data().asFloat()).as("%s H %d", kernels, hidden).isEqualTo(expected);
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

    /**
     * Dropout and the residual sum in one pass: the bits of the mask applied and then the sum, in both backends, at
     * 1, 2 and 3 threads (a piece boundary inside a vector's mask word would misplace bits), on a length with a tail.
     */
    @Test
    void dropoutAddingIsTheMaskThenTheSumBitForBit() {
        int threadsBefore = Parallel.threads();
        try {
            int rows = 3 * (Parallel.MIN_ELEMENTS_PER_THREAD / 331) + 5;
            int n = rows * 331;
            INDArray x = floats(25, rows, 331);
            INDArray residual = floats(26, rows, 331);
            long[] kept = new DropoutMask(FAST).draw(new SplittableRandom(27), n, 0.1);
            float scale = (float) (1 / 0.9);
            for (Kernels kernels : new Kernels[] {FAST, REFERENCE}) {
                INDArray twoSteps = Nd4j.create(DataType.FLOAT, rows, 331);
                kernels.applyMask(x, kept, scale, twoSteps);
                kernels.sum(twoSteps, residual, twoSteps);
                for (int threads = 1; threads <= 3; threads++) {
                    Parallel.setThreads(threads);
                    INDArray fused = Nd4j.create(DataType.FLOAT, rows, 331);
                    kernels.applyMaskAdding(x, kept, scale, residual, fused);
                    assertThat(fused.data().asFloat()).as("%s at %d threads", kernels, threads)
                            .isEqualTo(twoSteps.data().asFloat());
                }
            }
        } finally {
            Parallel.setThreads(threadsBefore);
        }
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

    /**
     * FloatLanes.exp's relative error against e^x: Cephes documents about 1 ulp (an ulp is at most 2^-23 of the
     * value); {@code expIsWithinTwoUlps} holds it to two, the bound used below.
     */
    private static final double EXP_ERROR = 4 * ULP;

    /** FloatLanes.exp on floats spread over its range [ln FLT_MIN, 0], against Math.exp in double. */
    @Test
    void expIsWithinTwoUlps() {
        SplittableRandom random = new SplittableRandom(30);
        float[] xs = new float[1 << 16];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = (float) (FloatLanes.EXP_MIN * random.nextDouble());
        }
        xs[0] = FloatLanes.EXP_MIN;
        xs[1] = 0;
        xs[2] = -Float.MIN_VALUE;
        float[] vectorExps = new float[xs.length];
        for (int k = 0; k < xs.length; k += FloatLanes.LANES) { // xs.length is a multiple of any vector width
            FloatLanes.exp(FloatVector.fromArray(FloatLanes.SPECIES, xs, k)).intoArray(vectorExps, k);
        }
        for (int k = 0; k < xs.length; k++) {
            double expected = Math.exp(xs[k]);
            assertThat(Math.abs(vectorExps[k] - expected)).as("exp(%s) = %s", xs[k], vectorExps[k])
                    .isLessThanOrEqualTo(EXP_ERROR * expected);
            assertThat(FloatLanes.exp(xs[k])).as("the scalar twin at %s", xs[k]).isEqualTo(vectorExps[k]);
        }
    }

    /**
     * The float cross-entropy against the reference in double, forward and then backward (from the forward's exps),
     * at 1, 2 and 3 threads, on rows of C = 3001 classes (a masked tail after the vectors) and of C = 7 (a tail only).
     * Bounds, u = 2^-24, d = x − max (exact in double):
     * <ul>
     *   <li>exps: x − max rounded in float moves exp's argument by u·|d| at most, so e^d by a factor e^{u|d|}; exp's
     *       own error is {@link #EXP_ERROR}; below ln FLT_MIN the kernel flushes to 0, an absolute error under
     *       FLT_MIN (allowed as 2·FLT_MIN);</li>
     *   <li>the sum: class c goes into lane c mod LANES, each lane adds ⌈C/LANES⌉ terms, then the LANES lanes are
     *       added in a tree of log2(LANES) adds (counted here as the LANES − 1 of a sequential sum, an upper bound):
     *       every term passes through at most n = ⌈C/LANES⌉ + LANES − 2 float adds of positive numbers, a relative error of γ_n = n·u/(1 − n·u), on top of the terms' own errors;</li>
     *   <li>invSums and nll: the sum's relative error r gives 1/S within r/(1 − r), log S within −log(1 − r); the
     *       reference's own double sum (C terms, each exp 1 ulp) and the double ops add (C + 4)·2^-53 relative;</li>
     *   <li>the gradient: exps' and 1/S's errors, then two float roundings (the factor invSum·rowScale, the product);
     *       at the label one more rounding of p·scale − scale, in absolute terms of scale·p (it may cancel).</li>
     * </ul>
     */
    @Test
    void crossEntropyIsTheReferenceWithinFloatRounding() {
        int threadsBefore = Parallel.threads();
        try {
            for (int classes : new int[] {3001, 7}) {
                // enough rows to split over 3 threads at training's threshold
                int rows = classes > 1000 ? 37 : 3 * (Parallel.MIN_ELEMENTS_PER_THREAD / classes) + 5;
                CrossEntropyCase k = CrossEntropyCase.of(classes, rows);
                CrossEntropyOutputs oneThread = null;
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    CrossEntropyOutputs outputs = k.checkAgainstTheReference("C=" + classes + " at " + threads
                            + " threads");
                    if (oneThread == null) {
                        oneThread = outputs;
                    } else { // float[] and double[] equality: bit for bit
                        String at = "C=" + classes + " at " + threads + " threads: ";
                        assertThat(outputs.exps).as(at + "exps").isEqualTo(oneThread.exps);
                        assertThat(outputs.grad).as(at + "grad").isEqualTo(oneThread.grad);
                        assertThat(outputs.invSums).as(at + "invSums").isEqualTo(oneThread.invSums);
                        assertThat(outputs.nll).as(at + "nll").isEqualTo(oneThread.nll);
                    }
                }
            }
        } finally {
            Parallel.setThreads(threadsBefore);
        }
    }

    /**
     * Rows of five kinds: logits ~ 4·N(0,1); ~ 40·N(0,1) (most exps underflow); the label at the max (d = 0);
     * very negative logits, −5000 + 60·N(0,1) (exps underflow to 0, x − max exact); the label 30 above the rest
     * (p ≈ 1, the label's gradient cancels).
     */
    private record CrossEntropyCase(INDArray logits, int[] labels, double[] rowScales) {
        static CrossEntropyCase of(int classes, int rows) {
            SplittableRandom random = new SplittableRandom(classes);
            float[][] x = new float[rows][classes];
            int[] labels = new int[rows];
            double[] rowScales = new double[rows];
            for (int i = 0; i < rows; i++) {
                int kind = i % 5;
                double spread = kind == 1 ? 40 : kind == 2 ? 10 : kind == 3 ? 60 : 4;
                double offset = kind == 3 ? -5000 : 0;
                for (int c = 0; c < classes; c++) {
                    x[i][c] = (float) (offset + spread * random.nextGaussian());
                }
                labels[i] = random.nextInt(classes);
                if (kind == 2) {
                    for (int c = 0; c < classes; c++) {
                        labels[i] = x[i][c] > x[i][labels[i]] ? c : labels[i];
                    }
                } else if (kind == 4) {
                    x[i][labels[i]] += 30;
                }
                rowScales[i] = (1 + i % 3) / 7.0;
            }
            return new CrossEntropyCase(Nd4j.createFromArray(x), labels, rowScales);
        }

        /** Runs both backends and checks the bounds; returns the fast backend's outputs. */
        CrossEntropyOutputs checkAgainstTheReference(String what) {
            int rows = labels.length;
            int classes = (int) logits.columns();
            INDArray exps = Nd4j.create(DataType.FLOAT, rows, classes);
            double[] invSums = new double[rows];
            double[] nll = new double[rows];
            FAST.crossEntropy(logits, labels, exps, invSums, nll);
            float[] fastExps = exps.data().asFloat();
            FAST.crossEntropyBackward(exps, invSums, labels, rowScales);
            float[] fastGrad = exps.data().asFloat();

            INDArray refExps = Nd4j.create(DataType.DOUBLE, rows, classes);
            double[] refInvSums = new double[rows];
            double[] refNll = new double[rows];
            REFERENCE.crossEntropy(wide(logits), labels, refExps, refInvSums, refNll);
            double[] expected = refExps.data().asDouble();
            REFERENCE.crossEntropyBackward(refExps, refInvSums, labels, rowScales);
            double[] expectedGrad = refExps.data().asDouble();
            double[] x = wide(logits).data().asDouble();

            int lanes = FloatLanes.LANES;
            int adds = (classes + lanes - 1) / lanes + lanes - 2;
            double sumRounding = adds * ULP / (1 - adds * ULP);
            double reference = (classes + 4) * 0x1p-53;
            int flushed = 0;
            for (int i = 0; i < rows; i++) {
                int at = i * classes;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    max = Math.max(max, x[at + c]);
                }
                double sum = 1 / refInvSums[i];
                double[] expRel = new double[classes];
                double termErrors = 0;
                for (int c = 0; c < classes; c++) {
                    double d = x[at + c] - max;
                    expRel[c] = (1 + EXP_ERROR) * Math.exp(ULP * Math.abs(d)) - 1;
                    double bound = expRel[c] * expected[at + c] + 2 * Float.MIN_NORMAL;
                    assertThat(Math.abs(fastExps[at + c] - expected[at + c])).as("%s exps[%d][%d]: %s vs %s", what, i,
                            c, fastExps[at + c], expected[at + c]).isLessThanOrEqualTo(bound);
                    termErrors += bound;
                    if (d < FloatLanes.EXP_MIN - 1) {
                        assertThat(fastExps[at + c]).as("%s exps[%d][%d] underflows", what, i, c).isZero();
                        flushed++;
                    }
                }
                double sumError = (termErrors + sumRounding * (sum + termErrors)) / sum + reference;
                assertThat(Math.abs(invSums[i] - refInvSums[i])).as("%s invSums[%d]", what, i)
                        .isLessThanOrEqualTo(refInvSums[i] * (sumError / (1 - sumError) + reference));
                double shift = x[at + labels[i]] - max;
                assertThat(Math.abs(nll[i] - refNll[i])).as("%s nll[%d]", what, i).isLessThanOrEqualTo(
                        -Math.log1p(-sumError) + reference * (Math.abs(Math.log(sum)) + Math.abs(shift) + 1));
                double invRel = sumError / (1 - sumError) + reference;
                for (int c = 0; c < classes; c++) {
                    double scaledProb = expected[at + c] * refInvSums[i] * rowScales[i];
                    double productRel = (1 + expRel[c]) * (1 + invRel) * (1 + ULP) * (1 + ULP) - 1;
                    // a flushed exp, and a product rounded as a subnormal
                    double absolute = 2 * Float.MIN_NORMAL * refInvSums[i] * rowScales[i] + Float.MIN_VALUE;
                    double bound = productRel * scaledProb + absolute;
                    if (c == labels[i]) {
                        bound += ULP * (Math.abs(expectedGrad[at + c]) + bound) + 0x1p-52 * rowScales[i];
                    }
                    assertThat(Math.abs(fastGrad[at + c] - expectedGrad[at + c])).as("%s grad[%d][%d]: %s vs %s",
                            what, i, c, fastGrad[at + c], expectedGrad[at + c]).isLessThanOrEqualTo(bound);
                }
            }
            assertThat(flushed).as("%s: exps flushed to 0", what).isGreaterThan(rows / 5);
            assertThat(fastGrad[labels[0]]).as("%s: row 0's label's gradient is negative", what).isNegative();
            return new CrossEntropyOutputs(fastExps, fastGrad, invSums, nll);
        }
    }

    private record CrossEntropyOutputs(float[] exps, float[] grad, double[] invSums, double[] nll) {
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
