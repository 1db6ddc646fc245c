package dev.minibert.model;

import static dev.minibert.model.GradientCheck.randn;
import static dev.minibert.model.GradientCheck.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The encoder's {@link MemoryPlan}: what it declares is what it allocates, and no more than call-order pooling did. */
class MemoryPlanTest {
    /**
     * {@link #peak}'s bytes on commit 81d0e0b, where {@code Scratch.Pool} handed out each layer's buffers in call
     * order (the same for either norm style).
     */
    private static final long CALL_ORDER_PEAK_FLOAT = 106_908;
    private static final long CALL_ORDER_PEAK_DOUBLE = 213_816;
    private static final int[][] WIDE = {{1, 2, 3, 4, 5, 6, 7}, {1, 2, 3, 4, 5, 6, 7}, {3, 4, 5, 0, 0, 0, 0}};

    private static BertConfig config(BertConfig.NormStyle style, int layers) {
        return TinyBert.config(style, layers);
    }

    /** Bytes the encoder allocates for one forward (and backward) at the tiny batch, measured. */
    private static long allocated(BertEncoder encoder, ParameterStore store, boolean training, boolean keep) {
        long before = Scratch.ownedBytes();
        INDArray x = randn(5, TinyBert.BATCH * TinyBert.SEQ, 8).castTo(store.dataType());
        INDArray maskBias = TinyBert.maskBias().castTo(store.dataType());
        encoder.forward(x, maskBias, training, keep);
        if (keep) {
            encoder.backward(randn(6, TinyBert.BATCH * TinyBert.SEQ, 8).castTo(store.dataType()));
        }
        return Scratch.ownedBytes() - before;
    }

    private static BertEncoder encoder(BertConfig config, ParameterStore store) {
        BertEncoder encoder = new BertEncoder(store, "bert.", config);
        randomize(store, 4);
        return encoder;
    }

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void theDeclaredBytesAreTheAllocatedOnes(BertConfig.NormStyle style) {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (boolean training : new boolean[] {true, false}) {
                for (boolean keep : new boolean[] {true, false}) {
                    ParameterStore store = new ParameterStore(type);
                    BertEncoder encoder = encoder(config(style, 3), store);
                    long planned = encoder.plannedBytes(TinyBert.BATCH, TinyBert.SEQ, type, training, keep);
                    assertThat(allocated(encoder, store, training, keep))
                            .as("%s training %s keepForBackward %s", type, training, keep).isEqualTo(planned)
                            .isPositive();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void noGradSharesOneSetAndTwoOutputsAcrossLayersAndTrainingKeepsOnePerLayer(BertConfig.NormStyle style) {
        long[] noGrad = new long[7];
        long[] training = new long[7];
        for (int layers : new int[] {1, 2, 3, 6}) {
            ParameterStore store = new ParameterStore(DataType.FLOAT);
            noGrad[layers] = allocated(encoder(config(style, layers), store), store, false, false);
            ParameterStore trained = new ParameterStore(DataType.FLOAT);
            training[layers] = allocated(encoder(config(style, layers), trained), trained, true, true);
        }
        assertThat(noGrad[6]).isEqualTo(noGrad[3]).isEqualTo(noGrad[2]);
        // #24: all but the layer's output [N,H] (80 floats) in one set: a second layer adds only the output's second
        assertThat(noGrad[2] - noGrad[1]).as("a second layer adds a second output, nothing else")
                .isEqualTo(80 * Float.BYTES);
        // a layer keeps, of its 1560 forward floats, all but the 6 passed-on [N,H] (dense.y, dropout.y, sum, twice):
        // query+key+value [N,3H] 240, probs and dropped [B,A,T,T] 2·100, context 80, two LayerNorms' y and xHat
        // 4·80, intermediate dense.y and gelu.y [N,I] 2·120
        assertThat(training[6] - training[3]).as("three more layers keep three more sets")
                .isEqualTo(3 * (240 + 200 + 80 + 320 + 240) * Float.BYTES);
    }

    /**
     * noGrad writes no LayerNorm x̂ (only backward reads it): a one-layer forward that keeps nothing allocates, less
     * than one that keeps everything (and no backward), the GELU's [N,I] output (written over its input) and the x̂
     * [N,H] of the layer's two LayerNorms, and of pre-norm's final one.
     */
    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void noGradAllocatesNoLayerNormXHat(BertConfig.NormStyle style) {
        long[] bytes = new long[2];
        for (boolean keep : new boolean[] {true, false}) {
            ParameterStore store = new ParameterStore(DataType.FLOAT);
            BertEncoder encoder = encoder(config(style, 1), store);
            long before = Scratch.ownedBytes();
            encoder.forward(randn(5, TinyBert.BATCH * TinyBert.SEQ, 8).castTo(DataType.FLOAT),
                    TinyBert.maskBias().castTo(DataType.FLOAT), false, keep);
            bytes[keep ? 1 : 0] = Scratch.ownedBytes() - before;
        }
        int xHats = style == BertConfig.NormStyle.PRE ? 3 : 2;
        // [N,H] is 80 floats and [N,I] 120 at the tiny shape
        assertThat(bytes[1] - bytes[0]).isEqualTo((120 + xHats * 80L) * Float.BYTES);
    }

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void peakMemoryIsNoMoreThanCallOrderPoolings(BertConfig.NormStyle style) {
        assertThat(peak(style, DataType.FLOAT)).isLessThanOrEqualTo(CALL_ORDER_PEAK_FLOAT);
        assertThat(peak(style, DataType.DOUBLE)).isLessThanOrEqualTo(CALL_ORDER_PEAK_DOUBLE);
    }

    /**
     * The most memory a whole model holds over training, inference at two shapes, then training longer and shorter
     * batches: Scratch's bytes after each call, less those held before the model.
     */
    private static long peak(BertConfig.NormStyle style, DataType type) {
        long before = Scratch.ownedBytes();
        long peak = 0;
        ParameterStore store = new ParameterStore(type);
        BertModel model = new BertModel(config(style, 4), store, "bert.", true);
        randomize(store, 1);
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, true);
        model.backward(randn(2, 2, 5, 8).castTo(type), randn(3, 2, 8).castTo(type));
        peak = Math.max(peak, Scratch.ownedBytes() - before);
        try (BertModel.NoGrad ignored = model.noGrad()) {
            model.forward(new int[][] {{2, 3, 4}}, null, null, false);
            peak = Math.max(peak, Scratch.ownedBytes() - before);
            model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
            peak = Math.max(peak, Scratch.ownedBytes() - before);
        }
        model.forward(WIDE, null, null, true);
        model.backward(randn(4, 3, 7, 8).castTo(type), null);
        peak = Math.max(peak, Scratch.ownedBytes() - before);
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, true);
        model.backward(randn(2, 2, 5, 8).castTo(type), null);
        return Math.max(peak, Scratch.ownedBytes() - before);
    }
}
