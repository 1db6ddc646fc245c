package dev.minibert.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Float kernels on the JDK's SIMD Vector API (the jdk.incubator.vector module, which the launcher, surefire and the
 * benchmark scripts add; {@link VectorSupport} says when they apply): attention's scale+mask+softmax and GELU, forward
 * and backward, each one pass over memory; dropout's mask, bias gradients and the AdamW update. They replace chains
 * of ND4J element-wise ops at ~5 ns per element each on this machine, and scalar loops whose {@code Math.exp} took
 * 17. Scalar tails repeat the vector lanes' operations, fmas included. The ND4J chains stay as the
 * double path (gradient checks) and as the float path where the module or the CPU backend is missing; tests hold
 * these kernels to them. Results do not depend on what the JIT has compiled: no vector op with unspecified rounding
 * (the JDK's EXP, floating-point reductions) is used.
 */
public final class VectorKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INT_SPECIES = SPECIES.withLanes(int.class);
    private static final IntVector LANE = IntVector.zero(INT_SPECIES).addIndex(1); // 0, 1, 2, ...
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    // LayerNorm works in double: a float vector's low and high halves as two double vectors of the same width.
    // One float species only: a second (128-bit) one made the JDK's shared vector code polymorphic, and C2 then
    // boxed every vector of the GELU and softmax loops (hundreds of MB/s of garbage).
    private static final VectorSpecies<Double> WIDE = DoubleVector.SPECIES_PREFERRED;
    private static final int WIDE_LANES = WIDE.length();
    private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(SPECIES, -1L << WIDE_LANES);
    // pieces of a split start at multiples of 64 elements: whole vectors and whole dropout-mask words
    private static final int GRAIN = 64;
    // Abramowitz & Stegun 7.1.26: erf(a) = 1 - t·P(t)·exp(-a²), t = 1/(1 + p·a), for a ≥ 0; |error| ≤ 1.5e-7
    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f;
    private static final float A2 = -0.284496736f;
    private static final float A3 = 1.421413741f;
    private static final float A4 = -1.453152027f;
    private static final float A5 = 1.061405429f;
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);
    // exp: Cephes expf's constants; ROUNDER = 1.5·2^23 rounds to an integer in the low mantissa bits
    private static final float EXP_MIN = -87.33654f; // ln(FLT_MIN)
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float EXP_P0 = 1.9875691500e-4f;
    private static final float EXP_P1 = 1.3981999507e-3f;
    private static final float EXP_P2 = 8.3334519073e-3f;
    private static final float EXP_P3 = 4.1665795894e-2f;
    private static final float EXP_P4 = 1.6666665459e-1f;
    private static final float EXP_P5 = 5.0000001201e-1f;
    private static final FloatVector EXP_P2V = FloatVector.broadcast(SPECIES, EXP_P2);
    private static final FloatVector EXP_P3V = FloatVector.broadcast(SPECIES, EXP_P3);
    private static final FloatVector EXP_P4V = FloatVector.broadcast(SPECIES, EXP_P4);
    private static final FloatVector EXP_P5V = FloatVector.broadcast(SPECIES, EXP_P5);
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    private VectorKernels() {
    }

    /**
     * In place on scores [B,heads,T,T]: each row becomes softmax(row·scale + maskBias[b]), maskBias [B,T] additive.
     */
    static void attentionSoftmax(INDArray scores, INDArray maskBias, float scale) {
        int seqLen = (int) scores.size(3);
        long rowsPerBatch = scores.size(1) * scores.size(2);
        ByteBuffer s = bytes(scores);
        ByteBuffer m = bytes(maskBias);
        int sBase = base(scores);
        int mBase = base(maskBias);
        int rowBytes = seqLen * Float.BYTES;
        Parallel.forRange((int) (scores.length() / seqLen), 1, minRows(seqLen), (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = sBase + r * rowBytes;
                float max = scaleAndMask(s, row, m, mBase + (int) (r / rowsPerBatch) * rowBytes, seqLen, scale);
                scaleRow(s, row, seqLen, 1 / expAndSum(s, row, seqLen, max));
            }
        });
    }

    /** row ← row·scale + mask; returns the row's max. */
    private static float scaleAndMask(ByteBuffer s, int row, ByteBuffer m, int mask, int seqLen, float scale) {
        int vectorEnd = SPECIES.loopBound(seqLen);
        FloatVector vmax = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector v = load(s, row, j).mul(scale).add(load(m, mask, j));
            v.intoByteBuffer(s, row + j * Float.BYTES, ORDER);
            vmax = vmax.max(v);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < seqLen; j++) {
            float v = get(s, row, j) * scale + get(m, mask, j);
            put(s, row, j, v);
            max = Math.max(max, v);
        }
        return max;
    }

    /** row ← exp(row - max); returns the row's sum. */
    private static float expAndSum(ByteBuffer s, int row, int seqLen, float max) {
        int vectorEnd = SPECIES.loopBound(seqLen);
        FloatVector vsum = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector e = exp(load(s, row, j).sub(max));
            e.intoByteBuffer(s, row + j * Float.BYTES, ORDER);
            vsum = vsum.add(e);
        }
        float sum = sumLanes(vsum);
        for (; j < seqLen; j++) {
            float e = exp(get(s, row, j) - max);
            put(s, row, j, e);
            sum += e;
        }
        return sum;
    }

    private static void scaleRow(ByteBuffer s, int row, int seqLen, float factor) {
        int vectorEnd = SPECIES.loopBound(seqLen);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            load(s, row, j).mul(factor).intoByteBuffer(s, row + j * Float.BYTES, ORDER);
        }
        for (; j < seqLen; j++) {
            put(s, row, j, get(s, row, j) * factor);
        }
    }

    /**
     * Softmax backward with the score scale, in place on dP [..,T]: dS = scale · P ⊙ (dP − Σ_j dP·P) per row.
     */
    static void attentionSoftmaxBackward(INDArray probsGrad, INDArray probs, float scale) {
        int seqLen = (int) probs.size(-1);
        ByteBuffer g = bytes(probsGrad);
        ByteBuffer p = bytes(probs);
        int gBase = base(probsGrad);
        int pBase = base(probs);
        int rowBytes = seqLen * Float.BYTES;
        Parallel.forRange((int) (probs.length() / seqLen), 1, minRows(seqLen), (from, to) -> {
            for (int r = from; r < to; r++) {
                int gRow = gBase + r * rowBytes;
                int pRow = pBase + r * rowBytes;
                softmaxGradRow(g, gRow, p, pRow, seqLen, dot(g, gRow, p, pRow, seqLen), scale);
            }
        });
    }

    /** Σ_j a[j]·b[j] over one row. */
    private static float dot(ByteBuffer a, int aRow, ByteBuffer b, int bRow, int length) {
        int vectorEnd = SPECIES.loopBound(length);
        FloatVector vdot = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            vdot = load(a, aRow, j).fma(load(b, bRow, j), vdot);
        }
        float dot = sumLanes(vdot);
        for (; j < length; j++) {
            dot = Math.fma(get(a, aRow, j), get(b, bRow, j), dot);
        }
        return dot;
    }

    private static void softmaxGradRow(ByteBuffer g, int gRow, ByteBuffer p, int pRow, int seqLen, float dot,
                                       float scale) {
        int vectorEnd = SPECIES.loopBound(seqLen);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            load(g, gRow, j).sub(dot).mul(load(p, pRow, j)).mul(scale).intoByteBuffer(g, gRow + j * Float.BYTES, ORDER);
        }
        for (; j < seqLen; j++) {
            put(g, gRow, j, (get(g, gRow, j) - dot) * get(p, pRow, j) * scale);
        }
    }

    /** out = x·Φ(x), GELU's erf form. */
    static void gelu(INDArray x, INDArray out) {
        ByteBuffer in = bytes(x);
        ByteBuffer o = bytes(out);
        int inBase = base(x);
        int oBase = base(out);
        forElements((int) x.length(), (from, to) -> {
            int vectorEnd = from + SPECIES.loopBound(to - from);
            geluVectors(in, inBase, o, oBase, from, vectorEnd);
            for (int i = vectorEnd; i < to; i++) {
                float v = get(in, inBase, i);
                put(o, oBase, i, v * cdf(v * INV_SQRT2));
            }
        });
    }

    private static void geluVectors(ByteBuffer in, int inBase, ByteBuffer o, int oBase, int from, int to) {
        for (int i = from; i < to; i += LANES) {
            FloatVector v = load(in, inBase, i);
            FloatVector u = v.mul(INV_SQRT2);
            v.mul(cdf(u, gaussian(u))).intoByteBuffer(o, oBase + i * Float.BYTES, ORDER);
        }
    }

    /** dx = dy · (Φ(x) + x·φ(x)), Φ recomputed from x rather than kept from the forward. */
    static void geluBackward(INDArray x, INDArray dy, INDArray dx) {
        ByteBuffer in = bytes(x);
        ByteBuffer up = bytes(dy);
        ByteBuffer o = bytes(dx);
        int inBase = base(x);
        int upBase = base(dy);
        int oBase = base(dx);
        forElements((int) x.length(), (from, to) -> {
            int vectorEnd = from + SPECIES.loopBound(to - from);
            geluGradVectors(in, inBase, up, upBase, o, oBase, from, vectorEnd);
            for (int i = vectorEnd; i < to; i++) {
                float v = get(in, inBase, i);
                float u = v * INV_SQRT2;
                float e = exp(-u * u);
                put(o, oBase, i, Math.fma(v * INV_SQRT_2PI, e, cdf(u, e)) * get(up, upBase, i));
            }
        });
    }

    private static void geluGradVectors(ByteBuffer in, int inBase, ByteBuffer up, int upBase, ByteBuffer o, int oBase,
                                        int from, int to) {
        for (int i = from; i < to; i += LANES) {
            FloatVector v = load(in, inBase, i);
            FloatVector g = load(up, upBase, i);
            FloatVector u = v.mul(INV_SQRT2);
            FloatVector e = gaussian(u); // exp(-x²/2) = exp(-u²), shared by Φ and φ
            v.mul(INV_SQRT_2PI).fma(e, cdf(u, e)).mul(g).intoByteBuffer(o, oBase + i * Float.BYTES, ORDER);
        }
    }

    /**
     * out = in · (bit i of kept ? scale : 0): dropout's mask applied, forward or backward. The bits of one vector lie
     * in one word (a vector has 4, 8 or 16 lanes); each lane's bit becomes a 0/1 multiplier, so a dropped element
     * is the signed zero of x·0, as in the scalar loop.
     */
    static void dropout(INDArray in, long[] kept, float scale, INDArray out) {
        ByteBuffer from = bytes(in);
        ByteBuffer to = bytes(out);
        int fromBase = base(in);
        int toBase = base(out);
        forElements((int) in.length(), (start, end) -> {
            int vectorEnd = start + SPECIES.loopBound(end - start);
            dropoutVectors(from, fromBase, kept, scale, to, toBase, start, vectorEnd);
            for (int i = vectorEnd; i < end; i++) {
                put(to, toBase, i, get(from, fromBase, i) * ((kept[i >>> 6] & 1L << i) != 0 ? scale : 0));
            }
        });
    }

    private static void dropoutVectors(ByteBuffer from, int fromBase, long[] kept, float scale, ByteBuffer to,
                                       int toBase, int start, int end) {
        for (int i = start; i < end; i += LANES) {
            int chunk = (int) (kept[i >>> 6] >>> (i & 63));
            FloatVector keep = (FloatVector) IntVector.broadcast(INT_SPECIES, chunk)
                    .lanewise(VectorOperators.LSHR, LANE).and(1).convert(VectorOperators.I2F, 0);
            load(from, fromBase, i).mul(keep.mul(scale)).intoByteBuffer(to, toBase + i * Float.BYTES, ORDER);
        }
    }

    /**
     * e^x for x ≤ 0 (softmax after the max is subtracted, GELU's Gaussian): Cephes' expf, x = n·ln2 + r with
     * |r| ≤ ln2/2, a degree-7 polynomial for e^r, times 2^n from the exponent bits; 0 below ln(FLT_MIN), where
     * e^x would be subnormal. About 1 ulp. Only IEEE adds, multiplies and fmas, which interpreted, C1- and
     * C2-compiled code all compute alike; the JDK's vector EXP (SVML when compiled, Math.exp when interpreted)
     * gave two runs of one seed different numbers depending on what the JIT had compiled yet.
     */
    private static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(EXP_MIN);
        FloatVector t = c.fma(LOG2E, ROUNDER); // round(c/ln2) in the low mantissa bits
        FloatVector n = t.sub(ROUNDER);
        // two-part ln2: n·LN2_HI is exact (9 + 8 significant bits), so r carries float precision
        FloatVector r = n.mul(-LN2_HI).add(c).add(n.mul(-LN2_LO));
        FloatVector p = r.fma(EXP_P0, EXP_P1).fma(r, EXP_P2V).fma(r, EXP_P3V).fma(r, EXP_P4V).fma(r, EXP_P5V);
        FloatVector er = p.fma(r.mul(r), r).add(1f);
        IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUNDER_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
        return er.mul(bits.reinterpretAsFloats()).blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
    }

    /** The scalar twin of {@link #exp(FloatVector)}, operation for operation, for the elements past the last vector. */
    private static float exp(float x) {
        if (x < EXP_MIN) {
            return 0;
        }
        float t = Math.fma(x, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = n * -LN2_HI + x + n * -LN2_LO;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, EXP_P0, EXP_P1), r, EXP_P2), r, EXP_P3), r, EXP_P4), r,
                EXP_P5);
        float er = Math.fma(p, r * r, r) + 1f;
        return er * Float.intBitsToFloat(Float.floatToRawIntBits(t) - ROUNDER_BITS + 127 << 23);
    }

    /** The lanes added first to last: a vector ADD reduction's order is unspecified, so its rounding may vary. */
    private static float sumLanes(FloatVector v) {
        float sum = 0;
        for (int k = 0; k < LANES; k++) {
            sum += v.lane(k);
        }
        return sum;
    }

    /**
     * One AdamW step of a float parameter in one pass (torch.optim.AdamW's formulas; the ND4J path takes ~11):
     * value ← value·decay − stepSize · m̂ / (sqrt(v)/bc2Sqrt + eps), with m ← β1·m + (1−β1)·g and
     * v ← β2·v + (1−β2)·g², m and v updated in place. decay is 1 − lr·weightDecay (1 when the parameter does not
     * decay), stepSize lr / (1 − β1^t), bc2Sqrt sqrt(1 − β2^t). All arrays dense, of one length.
     */
    public static void adamW(INDArray value, INDArray grad, INDArray m, INDArray v, float decay, float beta1,
                             float beta2, float stepSize, float bc2Sqrt, float eps) {
        for (INDArray a : new INDArray[] {value, grad, m, v}) {
            if (!FlatView.isPlain(a) || a.length() != value.length()) { // updated in place, so never a copy
                throw new IllegalArgumentException("AdamW kernel: not a dense array of " + value.length()
                        + " elements: " + a.shapeInfoToString());
            }
        }
        AdamWStep step = new AdamWStep(bytes(value), base(value), bytes(grad), base(grad), bytes(m), base(m), bytes(v),
                base(v), decay, beta1, beta2, stepSize, bc2Sqrt, eps);
        forElements((int) value.length(), (from, to) -> {
            int vectorEnd = from + SPECIES.loopBound(to - from);
            step.vectors(from, vectorEnd);
            step.scalars(vectorEnd, to);
        });
    }

    /** The AdamW kernel's buffers and constants, shared by the pieces of a split. */
    private record AdamWStep(ByteBuffer p, int pBase, ByteBuffer g, int gBase, ByteBuffer mb, int mBase, ByteBuffer vb,
                             int vBase, float decay, float beta1, float beta2, float stepSize, float bc2Sqrt,
                             float eps) {
        void vectors(int from, int to) {
            for (int i = from; i < to; i += LANES) {
                FloatVector gi = load(g, gBase, i);
                FloatVector mi = load(mb, mBase, i).mul(beta1).add(gi.mul(1 - beta1));
                FloatVector vi = load(vb, vBase, i).mul(beta2).add(gi.mul(gi).mul(1 - beta2));
                FloatVector denominator = vi.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
                load(p, pBase, i).mul(decay).sub(mi.div(denominator).mul(stepSize))
                        .intoByteBuffer(p, pBase + i * Float.BYTES, ORDER);
                mi.intoByteBuffer(mb, mBase + i * Float.BYTES, ORDER);
                vi.intoByteBuffer(vb, vBase + i * Float.BYTES, ORDER);
            }
        }

        void scalars(int from, int to) {
            for (int i = from; i < to; i++) {
                float gi = get(g, gBase, i);
                float mi = get(mb, mBase, i) * beta1 + gi * (1 - beta1);
                float vi = get(vb, vBase, i) * beta2 + gi * gi * (1 - beta2);
                float denominator = (float) Math.sqrt(vi) / bc2Sqrt + eps;
                put(p, pBase, i, get(p, pBase, i) * decay - mi / denominator * stepSize);
                put(mb, mBase, i, mi);
                put(vb, vBase, i, vi);
            }
        }
    }

    /** target[j] += Σ_r x[r][j] for x [N,W] and target [W], dense; each column summed over the rows in order. */
    static void addColumnSums(INDArray x, INDArray target) {
        if (!FlatView.isPlain(target)) { // written in place, so never a copy
            throw new IllegalArgumentException("column sums: not a dense target: " + target.shapeInfoToString());
        }
        int width = (int) target.length();
        int rows = (int) x.rows();
        ByteBuffer in = bytes(x);
        ByteBuffer out = bytes(target);
        int inBase = base(x);
        int outBase = base(target);
        // split by columns, so that each column is still summed over the rows in order
        Parallel.forRange(width, GRAIN, Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / rows), (from, to) -> {
            float[] sums = new float[to - from];
            for (int r = 0; r < rows; r++) {
                addRow(in, inBase + r * width * Float.BYTES, from, to, sums);
            }
            for (int j = from; j < to; j++) {
                put(out, outBase, j, get(out, outBase, j) + sums[j - from]);
            }
        });
    }

    /** sums[j - from] += row[j] for j in [from, to). */
    private static void addRow(ByteBuffer in, int row, int from, int to, float[] sums) {
        int vectorEnd = from + SPECIES.loopBound(to - from);
        int j = from;
        for (; j < vectorEnd; j += LANES) {
            FloatVector.fromArray(SPECIES, sums, j - from).add(load(in, row, j)).intoArray(sums, j - from);
        }
        for (; j < to; j++) {
            sums[j - from] += get(in, row, j);
        }
    }

    /**
     * LayerNorm forward over rows [from, to) of x [N,H]: x̂ = (x - mean)·s with s = 1/sqrt(var + eps), out =
     * x̂·gamma + beta; rstd[r] = s. Floats are widened and every sum is taken in double, as the scalar path does:
     * float sums lost 0.08 absolute in dx on rows far from zero ({@code LayerNormTest}).
     */
    static void layerNorm(INDArray x, INDArray xHat, INDArray out, double[] gamma, double[] beta, double eps,
                          double[] rstd, int from, int to) {
        int hidden = gamma.length;
        ByteBuffer in = bytes(x);
        ByteBuffer h = bytes(xHat);
        ByteBuffer o = bytes(out);
        int rowBytes = hidden * Float.BYTES;
        for (int r = from; r < to; r++) {
            int inRow = base(x) + r * rowBytes;
            double mean = rowSum(in, inRow, hidden) / hidden;
            double rs = 1 / Math.sqrt(squaresAround(in, inRow, hidden, mean) / hidden + eps);
            rstd[r] = rs;
            normalizeRow(in, inRow, h, base(xHat) + r * rowBytes, o, base(out) + r * rowBytes, gamma, beta, mean, rs);
        }
    }

    private static double rowSum(ByteBuffer in, int row, int hidden) {
        int vectorEnd = SPECIES.loopBound(hidden);
        DoubleVector vsum = DoubleVector.zero(WIDE);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector v = load(in, row, j);
            vsum = vsum.add(low(v)).add(high(v));
        }
        double sum = sumLanes(vsum);
        for (; j < hidden; j++) {
            sum += get(in, row, j);
        }
        return sum;
    }

    /** Σ (x - mean)² over a row: around the mean, not E[x²] - mean², so no cancellation for rows far from 0. */
    private static double squaresAround(ByteBuffer in, int row, int hidden, double mean) {
        int vectorEnd = SPECIES.loopBound(hidden);
        DoubleVector vsquares = DoubleVector.zero(WIDE);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector v = load(in, row, j);
            DoubleVector d0 = low(v).sub(mean);
            DoubleVector d1 = high(v).sub(mean);
            vsquares = d1.fma(d1, d0.fma(d0, vsquares));
        }
        double squares = sumLanes(vsquares);
        for (; j < hidden; j++) {
            double d = get(in, row, j) - mean;
            squares = Math.fma(d, d, squares);
        }
        return squares;
    }

    private static void normalizeRow(ByteBuffer in, int inRow, ByteBuffer h, int hRow, ByteBuffer o, int oRow,
                                     double[] gamma, double[] beta, double mean, double rs) {
        int hidden = gamma.length;
        int vectorEnd = SPECIES.loopBound(hidden);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector v = load(in, inRow, j);
            DoubleVector n0 = low(v).sub(mean).mul(rs);
            DoubleVector n1 = high(v).sub(mean).mul(rs);
            narrow(n0, n1).intoByteBuffer(h, hRow + j * Float.BYTES, ORDER);
            DoubleVector y0 = n0.fma(DoubleVector.fromArray(WIDE, gamma, j), DoubleVector.fromArray(WIDE, beta, j));
            DoubleVector y1 = n1.fma(DoubleVector.fromArray(WIDE, gamma, j + WIDE_LANES),
                    DoubleVector.fromArray(WIDE, beta, j + WIDE_LANES));
            narrow(y0, y1).intoByteBuffer(o, oRow + j * Float.BYTES, ORDER);
        }
        for (; j < hidden; j++) {
            double normalized = (get(in, inRow, j) - mean) * rs;
            put(h, hRow, j, (float) normalized);
            put(o, oRow, j, (float) Math.fma(normalized, gamma[j], beta[j]));
        }
    }

    /**
     * LayerNorm backward over rows [from, to): dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) with dx̂ = dy·gamma;
     * adds Σ dy·x̂ and Σ dy over these rows into sums[gammaAt..] and sums[gammaAt + H..]. In double, as the forward.
     */
    static void layerNormBackward(INDArray dy, INDArray xHat, INDArray dx, double[] gamma, double[] rstd,
                                  double[] sums, int gammaAt, int from, int to) {
        int hidden = gamma.length;
        ByteBuffer up = bytes(dy);
        ByteBuffer h = bytes(xHat);
        ByteBuffer o = bytes(dx);
        int rowBytes = hidden * Float.BYTES;
        double[] sumAndDot = new double[2];
        for (int r = from; r < to; r++) {
            int upRow = base(dy) + r * rowBytes;
            int hRow = base(xHat) + r * rowBytes;
            gradSums(up, upRow, h, hRow, gamma, sums, gammaAt, sumAndDot);
            inputGradRow(up, upRow, h, hRow, o, base(dx) + r * rowBytes, gamma, sumAndDot[0] / hidden,
                    sumAndDot[1] / hidden, rstd[r]);
        }
    }

    /**
     * For one row: sumAndDot = {Σ dx̂, Σ dx̂·x̂} with dx̂ = dy·gamma; sums[gammaAt + j] += dy·x̂ and
     * sums[gammaAt + H + j] += dy.
     */
    private static void gradSums(ByteBuffer up, int upRow, ByteBuffer h, int hRow, double[] gamma, double[] sums,
                                 int gammaAt, double[] sumAndDot) {
        int hidden = gamma.length;
        int betaAt = gammaAt + hidden;
        int vectorEnd = SPECIES.loopBound(hidden);
        DoubleVector vsum = DoubleVector.zero(WIDE);
        DoubleVector vdot = DoubleVector.zero(WIDE);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector g = load(up, upRow, j);
            FloatVector normalized = load(h, hRow, j);
            DoubleVector g0 = low(g);
            DoubleVector g1 = high(g);
            DoubleVector n0 = low(normalized);
            DoubleVector n1 = high(normalized);
            DoubleVector d0 = g0.mul(DoubleVector.fromArray(WIDE, gamma, j));
            DoubleVector d1 = g1.mul(DoubleVector.fromArray(WIDE, gamma, j + WIDE_LANES));
            vsum = vsum.add(d0).add(d1);
            vdot = d1.fma(n1, d0.fma(n0, vdot));
            g0.fma(n0, DoubleVector.fromArray(WIDE, sums, gammaAt + j)).intoArray(sums, gammaAt + j);
            g1.fma(n1, DoubleVector.fromArray(WIDE, sums, gammaAt + j + WIDE_LANES))
                    .intoArray(sums, gammaAt + j + WIDE_LANES);
            g0.add(DoubleVector.fromArray(WIDE, sums, betaAt + j)).intoArray(sums, betaAt + j);
            g1.add(DoubleVector.fromArray(WIDE, sums, betaAt + j + WIDE_LANES)).intoArray(sums, betaAt + j + WIDE_LANES);
        }
        double sum = sumLanes(vsum);
        double dot = sumLanes(vdot);
        for (; j < hidden; j++) {
            double g = get(up, upRow, j);
            double normalized = get(h, hRow, j);
            double d = g * gamma[j];
            sum += d;
            dot = Math.fma(d, normalized, dot);
            sums[gammaAt + j] = Math.fma(g, normalized, sums[gammaAt + j]);
            sums[betaAt + j] += g;
        }
        sumAndDot[0] = sum;
        sumAndDot[1] = dot;
    }

    /** dx = rs · (dy·gamma - mean - x̂·meanDot) for one row. */
    private static void inputGradRow(ByteBuffer up, int upRow, ByteBuffer h, int hRow, ByteBuffer o, int oRow,
                                     double[] gamma, double mean, double meanDot, double rs) {
        int hidden = gamma.length;
        int vectorEnd = SPECIES.loopBound(hidden);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector g = load(up, upRow, j);
            FloatVector normalized = load(h, hRow, j);
            DoubleVector d0 = low(g).mul(DoubleVector.fromArray(WIDE, gamma, j)).sub(mean)
                    .sub(low(normalized).mul(meanDot)).mul(rs);
            DoubleVector d1 = high(g).mul(DoubleVector.fromArray(WIDE, gamma, j + WIDE_LANES)).sub(mean)
                    .sub(high(normalized).mul(meanDot)).mul(rs);
            narrow(d0, d1).intoByteBuffer(o, oRow + j * Float.BYTES, ORDER);
        }
        for (; j < hidden; j++) {
            double d = get(up, upRow, j) * gamma[j];
            put(o, oRow, j, (float) ((d - mean - get(h, hRow, j) * meanDot) * rs));
        }
    }

    /** The low half of v's lanes as doubles. */
    private static DoubleVector low(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, WIDE, 0);
    }

    private static DoubleVector high(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, WIDE, 1);
    }

    /** The floats of two halves, low and high, rounded from doubles. */
    private static FloatVector narrow(DoubleVector low, DoubleVector high) {
        return ((FloatVector) low.convertShape(VectorOperators.D2F, SPECIES, 0))
                .blend((FloatVector) high.convertShape(VectorOperators.D2F, SPECIES, -1), HIGH_HALF);
    }

    private static double sumLanes(DoubleVector v) {
        double sum = 0;
        for (int k = 0; k < WIDE_LANES; k++) {
            sum += v.lane(k);
        }
        return sum;
    }

    /** Runs body over elements [0, n), split as {@link Parallel#forRange} at whole dropout-mask words. */
    private static void forElements(int n, Parallel.Range body) {
        Parallel.forRange(n, GRAIN, Parallel.MIN_ELEMENTS_PER_THREAD, body);
    }

    /** Rows of this width that make a piece worth a thread. */
    private static int minRows(int width) {
        return Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / width);
    }

    private static FloatVector gaussian(FloatVector u) {
        return exp(u.mul(u).neg());
    }

    /** Φ(x) = (1 + erf(u))/2 at u = x/√2, given e = exp(-u²); the negative side as q itself, not 1 - (1 - q). */
    private static FloatVector cdf(FloatVector u, FloatVector e) {
        FloatVector a = u.abs();
        FloatVector t = ONE.div(a.mul(P).add(1f));
        FloatVector poly = t.fma(A5, A4).fma(t, FloatVector.broadcast(SPECIES, A3)).fma(t, FloatVector.broadcast(SPECIES, A2))
                .fma(t, FloatVector.broadcast(SPECIES, A1)).mul(t);
        FloatVector q = poly.mul(e).mul(0.5f); // (1 - erf(|u|))/2
        VectorMask<Float> positive = u.compare(VectorOperators.GE, 0f);
        return q.blend(ONE.sub(q), positive);
    }

    /** Φ at u = x/√2, scalar. */
    private static float cdf(float u) {
        return cdf(u, exp(-u * u));
    }

    private static float cdf(float u, float e) {
        float t = 1 / (1 + P * Math.abs(u));
        float q = Math.fma(Math.fma(Math.fma(Math.fma(t, A5, A4), t, A3), t, A2), t, A1) * t * e * 0.5f;
        return u >= 0 ? 1 - q : q;
    }

    /** The byte offset of x's first element in its buffer. */
    private static int base(INDArray x) {
        return (int) x.offset() * Float.BYTES;
    }

    private static ByteBuffer bytes(INDArray x) {
        return x.data().asNio().order(ORDER);
    }

    private static FloatVector load(ByteBuffer b, int base, int i) {
        return FloatVector.fromByteBuffer(SPECIES, b, base + i * Float.BYTES, ORDER);
    }

    private static float get(ByteBuffer b, int base, int i) {
        return b.getFloat(base + i * Float.BYTES);
    }

    private static void put(ByteBuffer b, int base, int i, float v) {
        b.putFloat(base + i * Float.BYTES, v);
    }
}
