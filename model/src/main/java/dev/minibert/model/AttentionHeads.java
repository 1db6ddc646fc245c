package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention's change of layout between the projections' [N,H] (N = B·T, H = heads·d, a token's heads side by
 * side) and the per-head [B,heads,T,d] the batched gemms take. Both directions copy d-long runs in bulk; ND4J's
 * permute + assign of the same copy walks it element by element (JMH: ≈3-4× slower, {@code AttentionHeadsBench}).
 */
public final class AttentionHeads {
    private final int batch;
    private final int seqLen;
    private final int heads;
    private final int headSize;

    public AttentionHeads(int batch, int seqLen, int heads, int headSize) {
        this.batch = batch;
        this.seqLen = seqLen;
        this.heads = heads;
        this.headSize = headSize;
    }

    /** y [N,H] → into [B,heads,T,d] (reused when its shape fits, see {@link Scratch}). */
    public INDArray split(INDArray y, INDArray into) {
        INDArray out = Scratch.reuse(into, y.dataType(), batch, heads, seqLen, headSize);
        copy(y, out, true);
        return out;
    }

    /** h [B,heads,T,d] → into [N,H]. */
    public INDArray merge(INDArray h, INDArray into) {
        INDArray out = Scratch.reuse(into, h.dataType(), (long) batch * seqLen, (long) heads * headSize);
        copy(h, out, false);
        return out;
    }

    /** Copies each token's d-long run of each head between its [N,H] and its [B,heads,T,d] place. */
    private void copy(INDArray from, INDArray to, boolean split) {
        if (from.length() != (long) batch * seqLen * heads * headSize) {
            throw new IllegalArgumentException("attention heads: " + from.length() + " elements for B" + batch
                    + " T" + seqLen + " heads " + heads + " of " + headSize);
        }
        FlatView src = FlatView.of(FlatView.plain(from));
        FlatView dst = FlatView.of(to);
        int hidden = heads * headSize;
        Parallel.forRange(batch * seqLen, 1, Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / hidden), (first, end) -> {
            for (int n = first; n < end; n++) {
                int b = n / seqLen;
                int t = n % seqLen;
                for (int h = 0; h < heads; h++) {
                    int token = n * hidden + h * headSize;
                    int perHead = ((b * heads + h) * seqLen + t) * headSize;
                    if (split) {
                        src.copyTo(token, dst, perHead, headSize);
                    } else {
                        src.copyTo(perHead, dst, token, headSize);
                    }
                }
            }
        });
    }
}
