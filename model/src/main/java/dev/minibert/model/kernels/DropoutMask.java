package dev.minibert.model.kernels;

import dev.minibert.model.Parallel;
import java.util.SplittableRandom;

/**
 * Dropout's keep decisions, one bit per element: bit i of word i/64 is element i's. Each nextLong gives two 24-bit
 * uniforms u (as nextFloat would); an element is dropped when u·2^24 < ceil(p·2^24). Each run of
 * {@link #CHUNK_WORDS} words has its own generator, seeded by the next draw of the caller's, so that the chunks can
 * be drawn in parallel and the mask is the same at any thread count and in either backend
 * ({@link Kernels#drawMaskWords}).
 */
public final class DropoutMask {
    /** Mask words per generator: 65,536 elements, a piece worth a thread. */
    private static final int CHUNK_WORDS = 1024;
    private final Kernels kernels;
    private long[] kept;

    public DropoutMask(Kernels kernels) {
        this.kernels = kernels;
    }

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
                int first = c * CHUNK_WORDS;
                kernels.drawMaskWords(seeds[c], threshold, length, kept, first, Math.min(words, first + CHUNK_WORDS));
            }
        });
        return kept;
    }
}
