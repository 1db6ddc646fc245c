package dev.minibert.model.train;

/**
 * The run's micro-batches numbered across steps: micro-batch {@code micro} of optimizer step {@code step} is
 * g = step·accumulation + micro. Its examples come from the epoch order, its masks and dropout from seeds of
 * (seed, g), so a run resumed from a checkpoint repeats the uninterrupted one exactly.
 */
public record MicroBatches(EpochOrder order, int accumulation, long seed) {
    /** g of micro-batch {@code micro} (0-based) of optimizer step {@code step} (0-based). */
    public long index(long step, int micro) {
        return step * accumulation + micro;
    }

    /** Indices of the examples of micro-batch g. */
    public int[] examples(long g) {
        return order.batch(g);
    }

    /** The seed of micro-batch g for {@code purpose}. */
    public long seed(SeedPurpose purpose, long g) {
        return purpose.seed(seed, g);
    }

    public long epochOf(long g) {
        return order.epochOf(g);
    }

    /** Whether the first {@code steps} optimizer steps ended an epoch with their last one. */
    public boolean epochEndsAt(long steps) {
        long done = steps * accumulation;
        return order.epochOf(done) > order.epochOf(done - accumulation);
    }
}
