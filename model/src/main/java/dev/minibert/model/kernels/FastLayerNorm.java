package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import dev.minibert.model.FlatView;
import dev.minibert.model.Parallel;
import java.nio.ByteBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm on float vectors, rows split over the kernel threads. The forward is float, as torch computes a float
 * LayerNorm: the mean a float sum over lanes added in a fixed order, the variance a float sum of squares around that
 * mean (two passes, not E[x²] − mean², corrected by the deviations' own sum for the mean's rounding), x̂ and y in
 * float; only 1/sqrt(var + eps) is taken in double, and rounded to the float that x̂ is scaled by. Without an x̂
 * array (inference, nothing will read it) only y is written. The backward is float too (as torch's): its row sums
 * as the forward's, its gamma/beta sums in float over blocks of {@link #BLOCK_ROWS} rows, the blocks' sums added
 * into the double gradients in block order, so the bits do not depend on the thread count.
 */
final class FastLayerNorm implements LayerNormKernel {
    /** Rows per block of the backward's gamma/beta sums: blocks run in parallel and are added in order. */
    static final int BLOCK_ROWS = 64;
    private float[] blockSums; // [blocks][2][H]: each block's Σ dy·x̂ and Σ dy
    private float[] gammaFloats = new float[0]; // this call's gamma and beta rounded to float, once per call
    private float[] betaFloats = new float[0];

    @Override
    public void forward(INDArray x, double[] gamma, double[] beta, double eps, INDArray xHat, double[] rstd,
                        INDArray out) {
        INDArray input = FlatView.plain(x);
        float[] g = gammaFloats = asFloats(gamma, gammaFloats);
        float[] b = betaFloats = asFloats(beta, betaFloats);
        Parallel.forRange(rstd.length, 1, minRows(gamma.length),
                (from, to) -> layerNorm(input, xHat, out, g, b, eps, rstd, from, to));
    }

    @Override
    public Rows rows(double[] gamma, double[] beta, double eps) {
        float[] g = asFloats(gamma, new float[0]);
        float[] b = asFloats(beta, new float[0]);
        return (x, out, from, to) -> layerNorm(x, null, out, g, b, eps, null, from, to);
    }

    private static float[] asFloats(double[] values, float[] into) {
        float[] floats = into.length == values.length ? into : new float[values.length];
        for (int j = 0; j < values.length; j++) {
            floats[j] = (float) values[j];
        }
        return floats;
    }

    @Override
    public void backward(INDArray dy, INDArray xHat, double[] gamma, double[] rstd, INDArray dx, double[] gammaGrad,
                         double[] betaGrad) {
        int n = rstd.length;
        int hidden = gamma.length;
        INDArray upstream = FlatView.plain(dy);
        float[] g = gammaFloats = asFloats(gamma, gammaFloats);
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        blockSums = blockSums != null && blockSums.length == 2 * blocks * hidden ? blockSums
                : new float[2 * blocks * hidden];
        Arrays.fill(blockSums, 0);
        Parallel.forRange(blocks, 1, Math.max(1, minRows(hidden) / BLOCK_ROWS), (fromBlock, toBlock) -> {
            for (int block = fromBlock; block < toBlock; block++) {
                int from = block * BLOCK_ROWS;
                layerNormBackward(upstream, xHat, dx, g, rstd, blockSums, 2 * block * hidden, from,
                        Math.min(n, from + BLOCK_ROWS));
            }
        });
        for (int block = 0; block < blocks; block++) { // in block order, whatever the thread count
            for (int j = 0; j < hidden; j++) {
                gammaGrad[j] += blockSums[2 * block * hidden + j];
                betaGrad[j] += blockSums[(2 * block + 1) * hidden + j];
            }
        }
    }

    /**
     * LayerNorm forward over rows [from, to) of x [N,H], in float, by the corrected two-pass algorithm (Chan, Golub
     * and LeVeque): mean = Σx / H; d = x − mean; c = Σd / H, the float mean's own rounding; var = (Σd² − c·Σd) / H;
     * s = 1/sqrt(var + eps) (in double, rounded to float); x̂ = (d − c)·s, out = fma(x̂, gamma, beta); rstd[r] = s.
     * On a row far from zero (mean 2e4, sd 4) the float mean is off by up to half its ulp, 1e-3, which x̂ would carry
     * uncorrected; d is exact there (x and mean within a factor 2) and c recovers that error, so x̂'s error is relative
     * to the row's spread, not its offset. xHat null: x̂ is not stored; rstd null: nor is s.
     */
    private static void layerNorm(INDArray x, INDArray xHat, INDArray out, float[] gamma, float[] beta,
                                  double eps, double[] rstd, int from, int to) {
        int hidden = gamma.length;
        ByteBuffer in = bytes(x);
        ByteBuffer h = xHat == null ? null : bytes(xHat);
        ByteBuffer o = bytes(out);
        int rowBytes = hidden * Float.BYTES;
        float[] sums = new float[2]; // Σd, Σd²
        for (int r = from; r < to; r++) {
            int inRow = base(x) + r * rowBytes;
            float mean = rowSum(in, inRow, hidden) / hidden;
            deviationSums(in, inRow, hidden, mean, sums);
            float correction = sums[0] / hidden;
            float var = Math.max(0f, (sums[1] - correction * sums[0]) / hidden);
            float rs = (float) (1 / Math.sqrt(var + eps));
            if (rstd != null) {
                rstd[r] = rs;
            }
            int outRow = base(out) + r * rowBytes;
            if (h == null) {
                normalizeRow(in, inRow, o, outRow, gamma, beta, mean, correction, rs);
            } else {
                normalizeRowKeeping(in, inRow, h, base(xHat) + r * rowBytes, o, outRow, gamma, beta, mean, correction,
                        rs);
            }
        }
    }

    /**
     * Σ x over a row in float: element j is added into lane j mod LANES, the tail's too (masked), then the lanes in
     * {@link FloatLanes#sumLanes}' fixed tree. Only IEEE adds, so the bits do not depend on the JIT.
     */
    private static float rowSum(ByteBuffer in, int row, int hidden) {
        int vectorEnd = SPECIES.loopBound(hidden);
        FloatVector vsum = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            vsum = vsum.add(load(in, row, j));
        }
        if (j < hidden) {
            VectorMask<Float> tail = SPECIES.indexInRange(j, hidden);
            vsum = vsum.add(FloatVector.fromByteBuffer(SPECIES, in, row + j * Float.BYTES, ORDER, tail), tail);
        }
        return sumLanes(vsum);
    }

    /**
     * Σ d and Σ d² with d = x − mean over a row in float, lanes as {@link #rowSum}: around the mean, not E[x²] − mean²,
     * so no cancellation for rows far from 0; Σ d is the float mean's rounding times H.
     */
    private static void deviationSums(ByteBuffer in, int row, int hidden, float mean, float[] sums) {
        int vectorEnd = SPECIES.loopBound(hidden);
        FloatVector vsum = FloatVector.zero(SPECIES);
        FloatVector vsquares = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector d = load(in, row, j).sub(mean);
            vsum = vsum.add(d);
            vsquares = d.fma(d, vsquares);
        }
        if (j < hidden) {
            VectorMask<Float> tail = SPECIES.indexInRange(j, hidden);
            FloatVector d = FloatVector.fromByteBuffer(SPECIES, in, row + j * Float.BYTES, ORDER, tail).sub(mean);
            vsum = vsum.add(d, tail);
            vsquares = vsquares.blend(d.fma(d, vsquares), tail);
        }
        sums[0] = sumLanes(vsum);
        sums[1] = sumLanes(vsquares);
    }

    /**
     * out = fma((x − mean − correction)·rs, gamma, beta) for one row; the scalar tail repeats the lanes' float
     * operations.
     */
    private static void normalizeRow(ByteBuffer in, int inRow, ByteBuffer o, int oRow, float[] gamma, float[] beta,
                                     float mean, float correction, float rs) {
        int hidden = gamma.length;
        int vectorEnd = SPECIES.loopBound(hidden);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            load(in, inRow, j).sub(mean).sub(correction).mul(rs)
                    .fma(FloatVector.fromArray(SPECIES, gamma, j), FloatVector.fromArray(SPECIES, beta, j))
                    .intoByteBuffer(o, oRow + j * Float.BYTES, ORDER);
        }
        for (; j < hidden; j++) {
            put(o, oRow, j, Math.fma((get(in, inRow, j) - mean - correction) * rs, gamma[j], beta[j]));
        }
    }

    /**
     * As {@link #normalizeRow}, and x̂ = (x − mean − correction)·rs stored for the backward: the same operations, so
     * y's bits.
     */
    private static void normalizeRowKeeping(ByteBuffer in, int inRow, ByteBuffer h, int hRow, ByteBuffer o, int oRow,
                                            float[] gamma, float[] beta, float mean, float correction, float rs) {
        int hidden = gamma.length;
        int vectorEnd = SPECIES.loopBound(hidden);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector normalized = load(in, inRow, j).sub(mean).sub(correction).mul(rs);
            normalized.intoByteBuffer(h, hRow + j * Float.BYTES, ORDER);
            normalized.fma(FloatVector.fromArray(SPECIES, gamma, j), FloatVector.fromArray(SPECIES, beta, j))
                    .intoByteBuffer(o, oRow + j * Float.BYTES, ORDER);
        }
        for (; j < hidden; j++) {
            float normalized = (get(in, inRow, j) - mean - correction) * rs;
            put(h, hRow, j, normalized);
            put(o, oRow, j, Math.fma(normalized, gamma[j], beta[j]));
        }
    }

    /**
     * LayerNorm backward over rows [from, to), in float: dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) with dx̂ =
     * dy·gamma; adds Σ dy·x̂ and Σ dy over these rows, in float, into sums[gammaAt..] and sums[gammaAt + H..].
     */
    private static void layerNormBackward(INDArray dy, INDArray xHat, INDArray dx, float[] gamma, double[] rstd,
                                          float[] sums, int gammaAt, int from, int to) {
        int hidden = gamma.length;
        ByteBuffer up = bytes(dy);
        ByteBuffer h = bytes(xHat);
        ByteBuffer o = bytes(dx);
        int rowBytes = hidden * Float.BYTES;
        float[] sumAndDot = new float[2];
        for (int r = from; r < to; r++) {
            int upRow = base(dy) + r * rowBytes;
            int hRow = base(xHat) + r * rowBytes;
            gradSums(up, upRow, h, hRow, gamma, sums, gammaAt, sumAndDot);
            inputGradRow(up, upRow, h, hRow, o, base(dx) + r * rowBytes, gamma, sumAndDot[0] / hidden,
                    sumAndDot[1] / hidden, (float) rstd[r]);
        }
    }

    /**
     * For one row, in float: sumAndDot = {Σ dx̂, Σ dx̂·x̂} with dx̂ = dy·gamma, lanes as {@link #rowSum} (the tail
     * masked into them); sums[gammaAt + j] = fma(dy, x̂, ·) and sums[gammaAt + H + j] += dy, the tail's columns by the
     * same scalar operations.
     */
    private static void gradSums(ByteBuffer up, int upRow, ByteBuffer h, int hRow, float[] gamma, float[] sums,
                                 int gammaAt, float[] sumAndDot) {
        int hidden = gamma.length;
        int betaAt = gammaAt + hidden;
        int vectorEnd = SPECIES.loopBound(hidden);
        FloatVector vsum = FloatVector.zero(SPECIES);
        FloatVector vdot = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector g = load(up, upRow, j);
            FloatVector normalized = load(h, hRow, j);
            FloatVector d = g.mul(FloatVector.fromArray(SPECIES, gamma, j));
            vsum = vsum.add(d);
            vdot = d.fma(normalized, vdot);
            g.fma(normalized, FloatVector.fromArray(SPECIES, sums, gammaAt + j)).intoArray(sums, gammaAt + j);
            g.add(FloatVector.fromArray(SPECIES, sums, betaAt + j)).intoArray(sums, betaAt + j);
        }
        if (j < hidden) {
            VectorMask<Float> tail = SPECIES.indexInRange(j, hidden);
            FloatVector g = FloatVector.fromByteBuffer(SPECIES, up, upRow + j * Float.BYTES, ORDER, tail);
            FloatVector normalized = FloatVector.fromByteBuffer(SPECIES, h, hRow + j * Float.BYTES, ORDER, tail);
            FloatVector d = g.mul(FloatVector.fromArray(SPECIES, gamma, j, tail));
            vsum = vsum.add(d, tail);
            vdot = vdot.blend(d.fma(normalized, vdot), tail);
            for (; j < hidden; j++) {
                float gj = get(up, upRow, j);
                sums[gammaAt + j] = Math.fma(gj, get(h, hRow, j), sums[gammaAt + j]);
                sums[betaAt + j] += gj;
            }
        }
        sumAndDot[0] = sumLanes(vsum);
        sumAndDot[1] = sumLanes(vdot);
    }

    /** dx = (dy·gamma - mean - x̂·meanDot)·rs for one row, in float; the scalar tail repeats the lanes' operations. */
    private static void inputGradRow(ByteBuffer up, int upRow, ByteBuffer h, int hRow, ByteBuffer o, int oRow,
                                     float[] gamma, float mean, float meanDot, float rs) {
        int hidden = gamma.length;
        int vectorEnd = SPECIES.loopBound(hidden);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            load(up, upRow, j).mul(FloatVector.fromArray(SPECIES, gamma, j)).sub(mean)
                    .sub(load(h, hRow, j).mul(meanDot)).mul(rs).intoByteBuffer(o, oRow + j * Float.BYTES, ORDER);
        }
        for (; j < hidden; j++) {
            put(o, oRow, j, (get(up, upRow, j) * gamma[j] - mean - get(h, hRow, j) * meanDot) * rs);
        }
    }
}
