package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A dropout mask of bits applied on float vectors, forward or backward. */
final class FastDropout {
    private static final VectorSpecies<Integer> INT_SPECIES = SPECIES.withLanes(int.class);
    private static final IntVector LANE = IntVector.zero(INT_SPECIES).addIndex(1); // 0, 1, 2, ...

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

    private FastDropout() {
    }
}
