package dev.minibert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention's per-head view of token rows: columns [column, column + H) of a dense [N, W] array (N = B·T,
 * H = heads·d, a token's heads side by side) seen as [B,heads,T,d], element [b,h,t,j] at row b·T+t, column
 * column + h·d + j. A view, not a copy: a head's rows lie W apart, which the batched gemms take as their leading
 * dimension, so they read query, key and value where the stacked projection put them and write the context and the
 * projections' gradients straight into their [N, ·] rows. The copies in and out of a [B,heads,T,d] layout were
 * eight passes over [N,H] per layer and step.
 */
public record AttentionHeads(int batch, int seqLen, int heads, int headSize) {

    /** The heads of y's columns [column, column + heads·d) as a [B,heads,T,d] view; y must be dense row-major. */
    public INDArray of(INDArray y, long column) {
        long width = y.columns();
        if (y.rank() != 2 || !FlatView.isPlain(y) || y.rows() != (long) batch * seqLen
                || column < 0 || column + (long) heads * headSize > width) {
            throw new IllegalArgumentException("attention heads: B" + batch + " T" + seqLen + " heads " + heads + " of "
                    + headSize + " from column " + column + " of " + Arrays.toString(y.shape())
                    + (FlatView.isPlain(y) ? "" : " (not dense row-major)"));
        }
        return Nd4j.create(y.data(), new long[] {batch, heads, seqLen, headSize},
                new long[] {seqLen * width, headSize, width, 1}, y.offset() + column, 'c');
    }
}
