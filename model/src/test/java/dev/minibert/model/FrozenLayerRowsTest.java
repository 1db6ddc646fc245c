package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A frozen post-norm model's forward without gradients runs each layer's rows after the attention block by block
 * ({@link FrozenLayerRows}). Its outputs have the bits of the module-by-module forward (the same frozen model's
 * forward outside noGrad, which keeps its activations, with noGrad's batch-invariant products), at one and two threads, over whole blocks of
 * {@link FrozenLayerRows#BLOCK_ROWS} rows and partial ones, with padded sequences, for every token and for [CLS]
 * alone; and it never writes the intermediate [N,I] whole, which the module-by-module forward does. Without
 * oneDNN's packed kernels (no AVX-512) both are the module-by-module forward.
 */
class FrozenLayerRowsTest {
    private static final int HIDDEN = 32; // BatchInvarianceTest's model
    private static final int INTERMEDIATE = 64; // BatchInvarianceTest's model

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest
    @CsvSource({"1, 3, 150", "2, 3, 150", "2, 1, 7", "1, 2, 128", "2, 5, 61"})
    void theBlockByBlockForwardHasTheModuleByModuleForwardsBits(int threads, int batch, int seqLen) {
        Parallel.setThreads(threads);
        BertModel model = model(seqLen, true);
        int[][] ids = ids(batch, seqLen, 3);
        int[][] mask = mask(batch, seqLen);
        float[] keptHidden;
        float[] keptPooled;
        float[] keptFirstHidden;
        try (Gemm.Invariant products = Gemm.batchInvariant()) { // noGrad's products, but the activations kept
            BertModel.Output kept = model.forward(ids, null, mask, false);
            keptHidden = kept.lastHiddenState().dup().data().asFloat();
            keptPooled = kept.poolerOutput().dup().data().asFloat();
            keptFirstHidden = model.forwardFirstTokens(ids, null, mask, false).lastHiddenState().dup().data()
                    .asFloat();
        }
        try (BertModel.NoGrad noGrad = model.noGrad()) {
            BertModel.Output rows = model.forward(ids, null, mask, false);
            assertThat(rows.lastHiddenState().dup().data().asFloat()).as("hidden states").isEqualTo(keptHidden);
            assertThat(rows.poolerOutput().dup().data().asFloat()).as("pooled").isEqualTo(keptPooled);
            BertModel.Output first = model.forwardFirstTokens(ids, null, mask, false);
            assertThat(first.lastHiddenState().dup().data().asFloat()).as("[CLS] states").isEqualTo(keptFirstHidden);
            assertThat(first.poolerOutput().dup().data().asFloat()).as("[CLS] pooled").isEqualTo(keptPooled);
        }
    }

    /**
     * A frozen model's first forward without gradients allocates the trainable model's but for the intermediate
     * [N,I] (and the two output blocks' dense outputs [N,H], which a frozen product adds to the residual in its
     * epilogue): the block by block forward keeps a block's intermediate rows in its thread's own buffer.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void itNeverWritesTheIntermediateWhole(int threads) {
        Parallel.setThreads(threads);
        int batch = 3;
        int seqLen = 150;
        long[] bytes = new long[2];
        for (boolean frozen : new boolean[] {false, true}) {
            BertModel model = model(seqLen, frozen);
            long before = Scratch.ownedBytes();
            try (BertModel.NoGrad noGrad = model.noGrad()) {
                model.forward(ids(batch, seqLen, 4), null, mask(batch, seqLen), false);
            }
            bytes[frozen ? 1 : 0] = Scratch.ownedBytes() - before;
        }
        long n = (long) batch * seqLen;
        // without oneDNN's packed kernels (no AVX-512) a frozen model runs the trainable one's modules
        long fewer = PackedWeight.available() ? (n * INTERMEDIATE + 2 * n * HIDDEN) * Float.BYTES : 0;
        assertThat(bytes[0] - bytes[1]).isEqualTo(fewer);
    }

    private static BertModel model(int seqLen, boolean frozen) {
        return BatchInvarianceTest.model(BertConfig.NormStyle.POST, Math.max(seqLen, 8), frozen, 2);
    }

    private static int[][] ids(int batch, int seqLen, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] ids = new int[batch][seqLen];
        for (int[] row : ids) {
            for (int t = 0; t < seqLen; t++) {
                row[t] = random.nextInt(5, 50);
            }
        }
        return ids;
    }

    /** Sequence b's last b·seqLen/4 positions are padding (the first sequence none). */
    private static int[][] mask(int batch, int seqLen) {
        int[][] mask = new int[batch][seqLen];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seqLen - b * seqLen / 4; t++) {
                mask[b][t] = 1;
            }
        }
        return mask;
    }
}
