package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import dev.minibert.model.Parallel;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Attention's scale + mask + softmax and its backward on float vectors, one pass over each row. */
final class FastAttentionSoftmax {
    /**
     * In place on scores [B,A,T,T]: each row becomes softmax(row·scale + maskBias[b]), maskBias [B,T] additive.
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
                int mask = mBase + (int) (r / rowsPerBatch) * rowBytes;
                float max = maxScaledAndMasked(s, row, m, mask, seqLen, scale);
                scaleRow(s, row, seqLen, 1 / expAndSum(s, row, m, mask, seqLen, scale, max));
            }
        });
    }

    /**
     * The max of row·scale + mask, nothing written: {@link #expAndSum} computes the same sums again (one float
     * multiply and one add, the same bits), which costs less than a pass that writes them.
     */
    private static float maxScaledAndMasked(ByteBuffer s, int row, ByteBuffer m, int mask, int seqLen, float scale) {
        int vectorEnd = SPECIES.loopBound(seqLen);
        FloatVector vmax = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            vmax = vmax.max(load(s, row, j).mul(scale).add(load(m, mask, j)));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < seqLen; j++) {
            max = Math.max(max, get(s, row, j) * scale + get(m, mask, j));
        }
        return max;
    }

    /**
     * row ← exp(row·scale + mask − max); returns the row's sum. Key j is added into lane j mod LANES, the tail's
     * too (masked), before the lanes are summed: a padded key's exp is exactly 0, so a row padded wider sums its real
     * keys in the same order and gets the same bits (a sequence's attention does not depend on its batch's padding).
     */
    private static float expAndSum(ByteBuffer s, int row, ByteBuffer m, int mask, int seqLen, float scale,
                                   float max) {
        int vectorEnd = SPECIES.loopBound(seqLen);
        FloatVector vsum = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector e = exp(load(s, row, j).mul(scale).add(load(m, mask, j)).sub(max));
            e.intoByteBuffer(s, row + j * Float.BYTES, ORDER);
            vsum = vsum.add(e);
        }
        if (j < seqLen) {
            VectorMask<Float> tail = SPECIES.indexInRange(j, seqLen);
            int at = row + j * Float.BYTES;
            FloatVector scores = FloatVector.fromByteBuffer(SPECIES, s, at, ORDER, tail);
            FloatVector bias = FloatVector.fromByteBuffer(SPECIES, m, mask + j * Float.BYTES, ORDER, tail);
            FloatVector e = exp(scores.mul(scale).add(bias).sub(max));
            e.intoByteBuffer(s, at, ORDER, tail);
            vsum = vsum.add(e, tail);
        }
        return sumLanes(vsum);
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

    private FastAttentionSoftmax() {
    }
}
