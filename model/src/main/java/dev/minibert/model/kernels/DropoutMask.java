package dev.minibert.model.kernels;

import dev.minibert.model.Parallel;
import java.util.SplittableRandom;

/**
 * Dropout's keep decisions, one bit per element: bit i of word i/64 is element i's. Each nextLong gives two 24-bit
 * uniforms u (as nextFloat would); an element is dropped when u·2^24 < ceil(p·2^24). Each run of
 * {@link #CHUNK_WORDS} words has its own generator, seeded by the next draw of the caller's, so that the chunks can
 * be drawn in parallel and the mask is the same at any thread count and in either backend.
 */
public final class DropoutMask {
    /** Mask words per generator: 65,536 elements, a piece worth a thread. */
    private static final int CHUNK_WORDS = 1024;
    private long[] kept;

    /** Draws a fresh mask of {@code length} elements, each dropped with probability p; returns its words. */
    public long[] draw(SplittableRandom random, long length, double p) {
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
                        // 1 when u >= threshold, without a branch: a random 10% branch mispredicts
                        long first = ((bits >>> 40) - threshold) >>> 63 ^ 1;
                        long second = (((bits >>> 8) & 0xFFFFFF) - threshold) >>> 63 ^ 1;
                        word |= first << b | second << (b + 1);
                    }
                    kept[w] = n == 64 ? word : word & (1L << n) - 1; // an odd length's last draw has no second element
                }
            }
        });
        return kept;
    }
}
