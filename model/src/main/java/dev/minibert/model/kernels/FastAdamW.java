package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import dev.minibert.model.FlatView;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The AdamW update of a float parameter in one pass over value, gradient and moments. */
final class FastAdamW {
    /**
     * One AdamW step of a float parameter in one pass ({@link dev.minibert.model.train.AdamW}'s formulas, rearranged):
     * value ← value·decay − stepSize · m / (sqrt(v)/bc2Sqrt + eps), with m ← β1·m + (1−β1)·g and
     * v ← β2·v + (1−β2)·g², m and v updated in place. decay is 1 − lr·weightDecay (1 when the parameter does not
     * decay), stepSize lr / (1 − β1^t), bc2Sqrt sqrt(1 − β2^t). All arrays dense, of one length.
     */
    static void adamW(INDArray value, INDArray grad, INDArray m, INDArray v, float decay, float beta1,
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

    private FastAdamW() {
    }
}
