package dev.minibert.model;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout: in training each element is kept with probability 1-p and scaled by 1/(1-p),
 * so evaluation is the identity. Masks come from this instance's own generator, so a run is a
 * pure function of the seeds given to {@link #reseed(long)}.
 */
public final class Dropout {
    private final double p;
    private SplittableRandom random;
    private long[] kept;       // one bit per element of the last forward, kept for backward
    private double keptScale;  // 1/(1-p) as the last forward's array type stores it
    private boolean applied;   // whether the last forward dropped anything
    private long length;
    private INDArray output;
    private INDArray inputGrad;

    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        reseed(0);
    }

    public void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    public double p() {
        return p;
    }

    /**
     * Returns x itself when not training (or p = 0); otherwise draws a fresh mask and applies it in the
     * same pass (a view x is copied first, see {@link FlatView#plain}).
     * Each nextLong gives two 24-bit uniforms u (as nextFloat would); an element is dropped when
     * u·2^24 < ceil(p·2^24).
     */
    public INDArray forward(INDArray x, boolean training) {
        applied = training && p > 0;
        if (!applied) {
            return x;
        }
        length = x.length();
        output = Scratch.reuse(output, x.dataType(), x.shape());
        int words = (int) ((length + 63) >>> 6);
        kept = kept != null && kept.length == words ? kept : new long[words];
        FlatView in = FlatView.of(FlatView.plain(x));
        FlatView out = FlatView.of(output);
        // the product x·scale rounded once, as a multiply in the array's own type would round it
        keptScale = out.stored(1 / (1 - p));
        int threshold = (int) Math.ceil(p * (1 << 24));
        long bits = 0;
        long word = 0;
        for (int i = 0; i < length; i++) {
            int u;
            if ((i & 1) == 0) {
                bits = random.nextLong();
                u = (int) (bits >>> 40);
            } else {
                u = (int) (bits >>> 8) & 0xFFFFFF;
            }
            boolean keep = u >= threshold;
            word |= keep ? 1L << i : 0; // shifts are mod 64: bit i of word i/64
            out.set(i, in.get(i) * (keep ? keptScale : 0));
            if ((i & 63) == 63 || i == length - 1) {
                kept[i >>> 6] = word;
                word = 0;
            }
        }
        return output;
    }

    public INDArray backward(INDArray dy) {
        if (!applied) {
            return dy;
        }
        if (dy.length() != length) {
            throw new IllegalArgumentException("dropout backward: dy has " + dy.length() + " elements, the forward had "
                    + length);
        }
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), dy.shape());
        FlatView upstream = FlatView.of(FlatView.plain(dy));
        FlatView dx = FlatView.of(inputGrad);
        for (int i = 0; i < length; i++) {
            boolean keep = (kept[i >>> 6] & 1L << i) != 0;
            dx.set(i, upstream.get(i) * (keep ? keptScale : 0));
        }
        return inputGrad;
    }
}
