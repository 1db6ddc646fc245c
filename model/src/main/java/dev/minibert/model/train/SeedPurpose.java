package dev.minibert.model.train;

import java.util.SplittableRandom;

/**
 * What a seed derived from the run's one {@code --seed} is for. Each purpose has its own stream, so that drawing
 * more for one never shifts another. The codes are part of every recorded run: changing one changes its bits.
 */
public enum SeedPurpose {
    /** The permutation of an epoch (counter: the epoch). */
    EPOCH_ORDER(0),
    /** The masks of a pretraining micro-batch (counter: the micro-batch). */
    MASKING(1),
    /** Every dropout mask of a micro-batch (counter: the micro-batch). */
    DROPOUT(2),
    /** The coin per document that holds it out for evaluation. */
    HELD_OUT_SPLIT(3),
    /** The fixed masks of the held-out evaluation. */
    HELD_OUT_MASKING(4),
    /** The masks of an experiment's probe batch. */
    PROBE_MASKING(11),
    /** The dropout of an experiment's probe batch. */
    PROBE_DROPOUT(12);

    private final int code;

    SeedPurpose(int code) {
        this.code = code;
    }

    /** A seed for (run seed, counter, this purpose) with well-spread bits. */
    public long seed(long runSeed, long counter) {
        return new SplittableRandom(runSeed ^ (counter * 0x9E3779B97F4A7C15L) ^ ((long) code << 56)).nextLong();
    }

    /** The seed of this purpose that does not vary over the run. */
    public long seed(long runSeed) {
        return seed(runSeed, 0);
    }
}
