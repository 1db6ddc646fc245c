package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import dev.minibert.model.FlatView;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Dropout: its mask of bits drawn and applied on vectors, forward or backward. */
final class FastDropout {
    private static final VectorSpecies<Integer> INT_SPECIES = SPECIES.withLanes(int.class);
    private static final IntVector LANE = IntVector.zero(INT_SPECIES).addIndex(1); // 0, 1, 2, ...
    private static final VectorSpecies<Long> LONG_SPECIES = SPECIES.withLanes(long.class);
    private static final int LONG_LANES = LONG_SPECIES.length();
    private static final LongVector LONG_LANE = LongVector.zero(LONG_SPECIES).addIndex(1);
    // SplittableRandom's: new SplittableRandom(seed)'s k-th nextLong (from 1) is mix64(seed + k·GAMMA)
    private static final long GAMMA = 0x9e3779b97f4a7c15L;
    private static final LongVector LANE_GAMMAS = LONG_LANE.mul(GAMMA);
    private static final LongVector FIRST_SHIFTS = LONG_LANE.mul(2); // a draw's first element is bit 2·lane

    /**
     * {@link Kernels#drawMaskWords}: SplittableRandom's draws computed a vector of lanes at a time from the closed
     * form of its sequence, each the same 64 bits as nextLong's; a word's 32 draws are 32/lanes vectors.
     */
    static void drawMaskWords(long seed, int threshold, long length, long[] kept, int firstWord, int endWord) {
        for (int w = firstWord; w < endWord; w++) {
            long word = 0;
            for (int d = 0; d < 32; d += LONG_LANES) {
                long z = seed + (32L * (w - firstWord) + d + 1) * GAMMA; // the state before this vector's first draw
                LongVector bits = mix64(LANE_GAMMAS.add(z));
                // 1 when u >= threshold, as the reference computes it
                LongVector first = bits.lanewise(VectorOperators.LSHR, 40).sub(threshold)
                        .lanewise(VectorOperators.LSHR, 63).lanewise(VectorOperators.XOR, 1);
                LongVector second = bits.lanewise(VectorOperators.LSHR, 8).and(0xFFFFFF).sub(threshold)
                        .lanewise(VectorOperators.LSHR, 63).lanewise(VectorOperators.XOR, 1);
                LongVector placed = first.lanewise(VectorOperators.LSHL, FIRST_SHIFTS)
                        .or(second.lanewise(VectorOperators.LSHL, FIRST_SHIFTS.add(1)));
                word |= placed.reduceLanes(VectorOperators.OR) << 2 * d; // OR is exact in any lane order
            }
            int n = (int) Math.min(64, length - 64L * w);
            kept[w] = n == 64 ? word : word & (1L << n) - 1;
        }
    }

    /** SplittableRandom's mix64, lane by lane. */
    private static LongVector mix64(LongVector z) {
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xbf58476d1ce4e5b9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94d049bb133111ebL);
        return z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
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
                put(to, toBase, i, get(from, fromBase, i) * keepFactor(kept, i, scale));
            }
        });
    }

    /** out = in · (bit i of kept ? scale : 0) + addend: {@link #dropout} and the residual sum in one pass. */
    static void dropoutAdding(INDArray in, long[] kept, float scale, INDArray addend, INDArray out) {
        if (!FlatView.isPlain(out) || addend.length() != out.length() || in.length() != out.length()) {
            throw new IllegalArgumentException("dropout + sum: " + in.shapeInfoToString() + " + "
                    + addend.shapeInfoToString() + " into " + out.shapeInfoToString());
        }
        ByteBuffer from = bytes(in);
        ByteBuffer plus = bytes(addend);
        ByteBuffer to = bytes(out);
        int fromBase = base(in);
        int plusBase = base(addend);
        int toBase = base(out);
        forElements((int) in.length(), (start, end) -> {
            int vectorEnd = start + SPECIES.loopBound(end - start);
            dropoutAddingVectors(from, fromBase, kept, scale, plus, plusBase, to, toBase, start, vectorEnd);
            for (int i = vectorEnd; i < end; i++) {
                float dropped = get(from, fromBase, i) * keepFactor(kept, i, scale);
                put(to, toBase, i, dropped + get(plus, plusBase, i));
            }
        });
    }

    private static void dropoutAddingVectors(ByteBuffer from, int fromBase, long[] kept, float scale, ByteBuffer plus,
                                             int plusBase, ByteBuffer to, int toBase, int start, int end) {
        for (int i = start; i < end; i += LANES) {
            load(from, fromBase, i).mul(keepFactors(kept, i, scale)).add(load(plus, plusBase, i))
                    .intoByteBuffer(to, toBase + i * Float.BYTES, ORDER);
        }
    }

    /** Element i's factor: scale where bit i of kept is set, else 0 (the tails' twin of {@link #keepFactors}). */
    private static float keepFactor(long[] kept, int i, float scale) {
        return (kept[i >>> 6] & 1L << i) != 0 ? scale : 0;
    }

    /** Lane j: scale where bit i + j of kept is set, else 0 (the bits of one vector lie in one word). */
    private static FloatVector keepFactors(long[] kept, int i, float scale) {
        int chunk = (int) (kept[i >>> 6] >>> (i & 63));
        FloatVector keep = (FloatVector) IntVector.broadcast(INT_SPECIES, chunk)
                .lanewise(VectorOperators.LSHR, LANE).and(1).convert(VectorOperators.I2F, 0);
        return keep.mul(scale);
    }

    private static void dropoutVectors(ByteBuffer from, int fromBase, long[] kept, float scale, ByteBuffer to,
                                       int toBase, int start, int end) {
        for (int i = start; i < end; i += LANES) {
            load(from, fromBase, i).mul(keepFactors(kept, i, scale)).intoByteBuffer(to, toBase + i * Float.BYTES, ORDER);
        }
    }

    private FastDropout() {
    }
}
