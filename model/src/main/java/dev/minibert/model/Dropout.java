package dev.minibert.model;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout: in training each element is kept with probability 1-p and scaled by 1/(1-p),
 * so evaluation is the identity. Masks come from this instance's own generator (through one generator per
 * chunk of the mask, see {@link #drawMask}), so a run is a pure function of the seeds given to {@link #reseed(long)}.
 */
public final class Dropout {
    /** Mask words per generator: 65,536 elements, ~0.1 ms of drawing. */
    static final int CHUNK_WORDS = 1024;
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
     * Returns x itself when not training (or p = 0); otherwise draws a fresh mask and applies it
     * (a view x is copied first, see {@link FlatView#plain}).
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
        drawMask();
        // the product x·scale rounded once, as a multiply in the array's own type would round it
        keptScale = FlatView.of(output).stored(1 / (1 - p));
        applyMask(FlatView.plain(x), output);
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
        applyMask(FlatView.plain(dy), inputGrad);
        return inputGrad;
    }

    /**
     * Fills {@link #kept}: bit i of word i/64 is element i's keep decision. Each run of {@link #CHUNK_WORDS} words
     * has its own generator, seeded by the next draw of this instance's, so that the chunks can be drawn in parallel
     * and the mask is the same at any thread count.
     */
    private void drawMask() {
        int words = (int) ((length + 63) >>> 6);
        kept = kept != null && kept.length == words ? kept : new long[words];
        long[] seeds = new long[(words + CHUNK_WORDS - 1) / CHUNK_WORDS];
        for (int c = 0; c < seeds.length; c++) {
            seeds[c] = random.nextLong();
        }
        int threshold = (int) Math.ceil(p * (1 << 24));
        Parallel.forRange(seeds.length, 1, 1, (fromChunk, toChunk) -> {
            for (int c = fromChunk; c < toChunk; c++) {
                SplittableRandom chunk = new SplittableRandom(seeds[c]);
                for (int w = c * CHUNK_WORDS, end = Math.min(words, w + CHUNK_WORDS); w < end; w++) {
                    int n = (int) Math.min(64, length - 64L * w);
                    long word = 0;
                    for (int b = 0; b < n; b += 2) { // elements 2k and 2k+1 share a draw; 64 is even
                        long bits = chunk.nextLong();
                        // 1 when u >= threshold, without a branch: a random 10% branch mispredicts and cost 2x
                        long first = ((bits >>> 40) - threshold) >>> 63 ^ 1;
                        long second = (((bits >>> 8) & 0xFFFFFF) - threshold) >>> 63 ^ 1;
                        word |= first << b | second << (b + 1);
                    }
                    kept[w] = n == 64 ? word : word & (1L << n) - 1; // an odd length's last draw has no second element
                }
            }
        });
    }

    /** out = in · (kept ? keptScale : 0), element by element. */
    private void applyMask(INDArray in, INDArray out) {
        if (VectorSupport.serves(in)) {
            VectorKernels.dropout(in, kept, (float) keptScale, out);
            return;
        }
        FlatView from = FlatView.of(in);
        FlatView to = FlatView.of(out);
        for (int i = 0; i < length; i++) {
            boolean keep = (kept[i >>> 6] & 1L << i) != 0;
            to.set(i, from.get(i) * (keep ? keptScale : 0));
        }
    }
}
