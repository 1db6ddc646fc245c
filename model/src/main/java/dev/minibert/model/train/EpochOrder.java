package dev.minibert.model.train;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * Which instances form micro-batch g: epoch g / batchesPerEpoch visits all instances in a permutation
 * seeded by (seed, epoch). Stateless, so a resumed run finds its place from the step alone.
 */
public final class EpochOrder {
    /** HF Trainer's cap on the megabatch of {@link #groupedByLength}, in batches. */
    private static final int MAX_MEGABATCH_BATCHES = 50;
    private final int size;
    private final int batchSize;
    private final long seed;
    private final int batchesPerEpoch;
    private final int[] lengths; // null: plain shuffled order
    private long cachedEpoch = -1;
    private int[] permutation;

    public EpochOrder(int size, int batchSize, long seed) {
        this(size, batchSize, seed, null);
    }

    private EpochOrder(int size, int batchSize, long seed, int[] lengths) {
        if (size < 1) {
            throw new IllegalArgumentException("no training instances");
        }
        this.size = size;
        this.batchSize = batchSize;
        this.seed = seed;
        this.batchesPerEpoch = (size + batchSize - 1) / batchSize;
        this.lengths = lengths;
    }

    /**
     * HF Trainer's {@code group_by_length}: the same shuffled permutation, cut into megabatches of
     * min(size / (4·batch), 50) batches (at least one), each sorted longest first (stable). Batches padded to their
     * longest row then carry little padding, and each epoch still mixes lengths and visits every instance once.
     */
    public static EpochOrder groupedByLength(int[] lengths, int batchSize, long seed) {
        return new EpochOrder(lengths.length, batchSize, seed, lengths.clone());
    }

    /** Optimizer steps for {@code epochs} passes over {@code size} examples (at least 1). */
    public static long stepsFor(int size, int batchSize, int accumulation, int epochs) {
        long batches = (size + batchSize - 1) / batchSize;
        return Math.max(1, (batches * epochs + accumulation - 1) / accumulation);
    }

    public long epochOf(long microBatch) {
        return microBatch / batchesPerEpoch;
    }

    /** Indices of micro-batch g; the last batch of an epoch may be shorter. */
    public int[] batch(long g) {
        long epoch = epochOf(g);
        if (epoch != cachedEpoch) {
            permutation = permutation(SeedPurpose.EPOCH_ORDER.seed(seed, epoch));
            cachedEpoch = epoch;
        }
        int from = (int) (g % batchesPerEpoch) * batchSize;
        int to = Math.min(size, from + batchSize);
        int[] out = new int[to - from];
        System.arraycopy(permutation, from, out, 0, out.length);
        return out;
    }

    private int[] permutation(long s) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        SplittableRandom random = new SplittableRandom(s);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return lengths == null ? p : groupByLength(p);
    }

    private int[] groupByLength(int[] p) {
        int megabatch = Math.max(1, Math.min(size / (4 * batchSize), MAX_MEGABATCH_BATCHES)) * batchSize;
        Integer[] boxed = Arrays.stream(p).boxed().toArray(Integer[]::new);
        for (int from = 0; from < size; from += megabatch) {
            Arrays.sort(boxed, from, Math.min(size, from + megabatch),
                    Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
        }
        return Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
    }
}
