package dev.minibert.model.kernels;

import dev.minibert.model.Parallel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the fast float kernels share: the one float species, byte-buffer access to an array's elements, the
 * JIT-independent exp, lane sums in a fixed order, and the thread split. Results do not depend on what the JIT has
 * compiled: no vector op with unspecified rounding (the JDK's EXP, floating-point reductions) is used, and scalar
 * tails repeat the vector lanes' operations, fmas included.
 */
final class FloatLanes {
    // One float species only: a second (128-bit) one made the JDK's shared vector code polymorphic, and C2 then
    // boxed every vector of the GELU and softmax loops (hundreds of MB/s of garbage).
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    // pieces of a split start at multiples of 64 elements: whole vectors and whole dropout-mask words
    static final int GRAIN = 64;
    // exp: Cephes expf's constants; ROUNDER = 1.5·2^23 rounds to an integer in the low mantissa bits
    static final float EXP_MIN = -87.33654f; // ln(FLT_MIN)
    static final float LOG2E = 1.44269504088896341f;
    static final float ROUNDER = 12582912f;
    static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    static final float EXP_P0 = 1.9875691500e-4f;
    static final float EXP_P1 = 1.3981999507e-3f;
    static final float EXP_P2 = 8.3334519073e-3f;
    static final float EXP_P3 = 4.1665795894e-2f;
    static final float EXP_P4 = 1.6666665459e-1f;
    static final float EXP_P5 = 5.0000001201e-1f;
    static final FloatVector EXP_P2V = FloatVector.broadcast(SPECIES, EXP_P2);
    static final FloatVector EXP_P3V = FloatVector.broadcast(SPECIES, EXP_P3);
    static final FloatVector EXP_P4V = FloatVector.broadcast(SPECIES, EXP_P4);
    static final FloatVector EXP_P5V = FloatVector.broadcast(SPECIES, EXP_P5);

    /**
     * e^x for x ≤ 0 (softmax after the max is subtracted, GELU's Gaussian): Cephes' expf, x = n·ln2 + r with
     * |r| ≤ ln2/2, a degree-7 polynomial for e^r, times 2^n from the exponent bits; 0 below ln(FLT_MIN), where
     * e^x would be subnormal. About 1 ulp. Only IEEE adds, multiplies and fmas, which interpreted, C1- and
     * C2-compiled code all compute alike; the JDK's vector EXP (SVML when compiled, Math.exp when interpreted)
     * gave two runs of one seed different numbers depending on what the JIT had compiled yet.
     */
    static FloatVector exp(FloatVector x) {
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
    static float exp(float x) {
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

    /**
     * The lanes summed in a fixed tree: lane k plus lane k + LANES/2, then the same on the first half, down to one
     * lane. A vector ADD reduction's order is unspecified, so its rounding may vary; these are lane-wise adds of
     * fixed permutations, the same bits interpreted or compiled, and log2(LANES) dependent adds instead of LANES.
     * The shuffles are constants, so C2 compiles each fold to one permute and one add.
     */
    static float sumLanes(FloatVector v) {
        for (int shift = LANES / 2; shift > 8; shift /= 2) { // species wider than AVX-512's only
            v = v.add(v.rearrange(fold(shift)));
        }
        if (LANES >= 16) {
            v = v.add(v.rearrange(FOLD_8));
        }
        if (LANES >= 8) {
            v = v.add(v.rearrange(FOLD_4));
        }
        if (LANES >= 4) {
            v = v.add(v.rearrange(FOLD_2));
        }
        if (LANES >= 2) {
            v = v.add(v.rearrange(FOLD_1));
        }
        return v.lane(0);
    }

    private static final VectorShuffle<Float> FOLD_8 = fold(8);
    private static final VectorShuffle<Float> FOLD_4 = fold(4);
    private static final VectorShuffle<Float> FOLD_2 = fold(2);
    private static final VectorShuffle<Float> FOLD_1 = fold(1);

    /** Lane k + shift (mod LANES) to lane k. */
    private static VectorShuffle<Float> fold(int shift) {
        return VectorShuffle.fromOp(SPECIES, k -> (k + shift) % LANES);
    }

    /** row[j] ← row[j]·factor for j in [0, length), a softmax row normalised; the tail repeats the lanes' multiply. */
    static void scaleRow(ByteBuffer b, int row, int length, float factor) {
        int vectorEnd = SPECIES.loopBound(length);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            load(b, row, j).mul(factor).intoByteBuffer(b, row + j * Float.BYTES, ORDER);
        }
        for (; j < length; j++) {
            put(b, row, j, get(b, row, j) * factor);
        }
    }

    /** Runs body over elements [0, n), split as {@link Parallel#forRange} at whole dropout-mask words. */
    static void forElements(int n, Parallel.Range body) {
        Parallel.forRange(n, GRAIN, Parallel.minElementsPerThread(), body);
    }

    /** Rows of this width that make a piece worth a thread. */
    static int minRows(int width) {
        return Math.max(1, Parallel.minElementsPerThread() / width);
    }

    /** The byte offset of x's first element in its buffer. */
    static int base(INDArray x) {
        return (int) x.offset() * Float.BYTES;
    }

    static ByteBuffer bytes(INDArray x) {
        return x.data().asNio().order(ORDER);
    }

    static FloatVector load(ByteBuffer b, int base, int i) {
        return FloatVector.fromByteBuffer(SPECIES, b, base + i * Float.BYTES, ORDER);
    }

    static float get(ByteBuffer b, int base, int i) {
        return b.getFloat(base + i * Float.BYTES);
    }

    static void put(ByteBuffer b, int base, int i, float v) {
        b.putFloat(base + i * Float.BYTES, v);
    }

    private FloatLanes() {
    }
}
