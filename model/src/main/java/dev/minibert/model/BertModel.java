package dev.minibert.model;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The BERT encoder: embeddings → N × {@link BertLayer} → (pooler). Inputs are [B,T] int arrays;
 * activations are [N,H] with N = B·T, row b·T + t. Arrays returned by {@link #forward} are the
 * model's own buffers: valid until the next forward; dup() them to keep them.
 */
public final class BertModel {
    /** lastHiddenState: [B,T,H]; poolerOutput: [B,H], or null without a pooler. */
    public record Output(INDArray lastHiddenState, INDArray poolerOutput) {
    }

    /** The scope of {@link #noGrad()}; closing it re-enables gradients. */
    public interface NoGrad extends AutoCloseable {
        @Override
        void close();
    }

    /** Additive attention bias for padded keys, as HF and the peer. */
    static final double MASKED_BIAS = -10000.0;

    private final BertConfig config;
    private final ParameterStore store;
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    private final BertPooler pooler; // null without
    private int batch;
    private int seqLen;
    private long[] outputShape; // the last forward's last hidden state: [B,T,H], [B,1,H] or [M,H]
    private INDArray hiddenGrad;
    private boolean gradEnabled = true;
    private boolean backwardReady;

    /** prefix: "bert." for HF names; registers every parameter in HF order. */
    public BertModel(BertConfig config, ParameterStore store, String prefix, boolean withPooler) {
        this.config = config;
        this.store = store;
        this.embeddings = new BertEmbeddings(store, prefix, config);
        this.encoder = new BertEncoder(store, prefix, config);
        this.pooler = withPooler ? new BertPooler(store, prefix + "pooler.", config) : null;
        reseedDropout(0); // distinct streams per site even if the caller never reseeds
    }

    /**
     * inputIds: [B,T]; tokenTypeIds: [B,T] or null (all 0); attentionMask: [B,T] of 0/1 or null (all 1).
     */
    public Output forward(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, boolean training) {
        Embedded in = embed(inputIds, tokenTypeIds, attentionMask, training);
        INDArray hidden = encoder.forward(in.x(), in.maskBias(), training, gradEnabled);
        backwardReady = gradEnabled;
        outputShape = new long[] {batch, seqLen, config.hiddenSize};
        INDArray pooled = pooler == null ? null : pooler.forward(hidden, batch, seqLen);
        return new Output(hidden.reshape('c', outputShape), pooled);
    }

    /**
     * The forward for what reads [CLS] alone (the pooler, a classifier, CLS pooling): lastHiddenState is [B,1,H], each
     * sequence's first token. The last layer computes every token's key and value and all else for [CLS] only, about
     * three quarters of that layer's work saved, in the backward too ({@link #backward} then takes dLastHidden
     * [B,1,H]). Under {@link #noGrad()}, where {@link Gemm#isBatchInvariant()}, the outputs have the bits of
     * {@link #forward}'s at [CLS]; elsewhere, and in training, they agree within float rounding (dropout draws its masks
     * for the rows it runs on).
     */
    public Output forwardFirstTokens(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, boolean training) {
        Embedded in = embed(inputIds, tokenTypeIds, attentionMask, training);
        INDArray first = encoder.forward(in.x(), in.maskBias(), training, gradEnabled,
                SelectedTokens.firstTokens(batch, seqLen));
        backwardReady = gradEnabled;
        outputShape = new long[] {batch, 1, config.hiddenSize};
        INDArray pooled = pooler == null ? null : pooler.forward(first, batch, 1);
        return new Output(first.reshape('c', outputShape), pooled);
    }

    /**
     * The last hidden state at the given token rows alone, [M,H] in their order: what reads a few tokens (the MLM loss
     * reads the masked ones). rows: indices b·T + t, strictly ascending, at least one. The last layer computes every
     * token's key and value and all else for these M rows, in the backward too ({@link #backward} then takes
     * dLastHidden [M,H], and no dPooled: the pooler reads [CLS], which need not be among them). Under {@link
     * #noGrad()}, where {@link Gemm#isBatchInvariant()}, each row has the bits of {@link #forward}'s.
     */
    public INDArray forwardRows(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, int[] rows,
                                boolean training) {
        Embedded in = embed(inputIds, tokenTypeIds, attentionMask, rows, training);
        INDArray hidden = encoder.forward(in.x(), in.maskBias(), training, gradEnabled, in.selected());
        backwardReady = gradEnabled;
        outputShape = new long[] {rows.length, config.hiddenSize};
        return hidden;
    }

    /** The embeddings' output x [N,H], the keys' additive mask [B,T] and the selected rows (null: every token). */
    private record Embedded(INDArray x, INDArray maskBias, SelectedTokens selected) {
    }

    private Embedded embed(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, boolean training) {
        return embed(inputIds, tokenTypeIds, attentionMask, null, training);
    }

    /**
     * Checks every input before any work (rows: the token rows a caller reads, or null), sets batch and seqLen, then
     * runs the embeddings.
     */
    private Embedded embed(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, int[] rows,
                           boolean training) {
        int[] ids = flatten("inputIds", inputIds, null);
        batch = inputIds.length;
        seqLen = inputIds[0].length;
        if (seqLen > config.maxPositionEmbeddings) {
            throw new IllegalArgumentException("sequence length " + seqLen + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings);
        }
        int[] types = tokenTypeIds == null ? new int[ids.length] : flatten("tokenTypeIds", tokenTypeIds, inputIds);
        int[] positions = new int[ids.length];
        for (int n = 0; n < positions.length; n++) {
            positions[n] = n % seqLen;
        }
        INDArray maskBias = maskBias(attentionMask, inputIds);
        SelectedTokens selected = rows == null ? null : SelectedTokens.of(batch, seqLen, rows);
        return new Embedded(embeddings.forward(ids, types, positions, training, gradEnabled), maskBias, selected);
    }

    /**
     * Adds every parameter's gradient for upstream gradients dLastHidden [B,T,H] ([B,1,H] after {@link
     * #forwardFirstTokens}, [M,H] after {@link #forwardRows}) and/or dPooled [B,H].
     */
    public void backward(INDArray dLastHidden, INDArray dPooled) {
        if (!backwardReady) {
            throw new IllegalStateException("backward after a forward under noGrad(): its activations were not kept");
        }
        if (dLastHidden == null && dPooled == null) {
            throw new IllegalArgumentException("backward needs dLastHidden or dPooled");
        }
        if (dPooled != null && pooler == null) {
            throw new IllegalArgumentException("dPooled given, but this model has no pooler");
        }
        if (dPooled != null && outputShape.length == 2) {
            throw new IllegalArgumentException("dPooled given after forwardRows, which runs no pooler");
        }
        long n = outputShape.length == 2 ? outputShape[0] : outputShape[0] * outputShape[1];
        hiddenGrad = Scratch.reuse(hiddenGrad, store.dataType(), n, config.hiddenSize);
        if (dLastHidden != null) {
            requireShape("dLastHidden", dLastHidden, outputShape);
            hiddenGrad.assign(dLastHidden.reshape('c', n, config.hiddenSize));
        } else {
            hiddenGrad.assign(0);
        }
        if (dPooled != null) {
            requireShape("dPooled", dPooled, batch, config.hiddenSize);
            hiddenGrad.addi(pooler.backward(dPooled));
        }
        embeddings.backward(encoder.backward(hiddenGrad));
    }

    /**
     * Like torch.no_grad(): until the returned scope is closed, forwards keep no activations for backward
     * (the encoder's layers share two sets of buffers), so inference memory does not grow with depth. The
     * products run {@link Gemm#batchInvariant()} on this thread meanwhile: a sequence's outputs are the same bits
     * whatever batch it shares and however far that batch pads it (where {@link Gemm#isBatchInvariant()}).
     */
    public NoGrad noGrad() {
        gradEnabled = false;
        Gemm.Invariant invariant = Gemm.batchInvariant();
        return () -> {
            invariant.close();
            gradEnabled = true;
        };
    }

    /** False inside {@link #noGrad()}: a forward then keeps nothing for backward (heads ask this too). */
    public boolean gradEnabled() {
        return gradEnabled;
    }

    /** Derives one seed per dropout site from {@code seed}, so a (run seed, step) pair fixes every mask. */
    public void reseedDropout(long seed) {
        SplittableRandom seeds = new SplittableRandom(seed);
        embeddings.reseedDropout(seeds);
        encoder.reseedDropout(seeds);
    }

    /** ‖∂L/∂x‖ at each encoder layer's input, then at the last layer's output: length numLayers + 1. */
    public double[] layerInputGradNorms() {
        return encoder.layerInputGradNorms();
    }

    public BertConfig config() {
        return config;
    }

    public ParameterStore store() {
        return store;
    }

    public BertEmbeddings embeddings() {
        return embeddings;
    }

    private static int[] flatten(String what, int[][] rows, int[][] shapeOf) {
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException(what + " is empty");
        }
        int width = rows[0] == null ? 0 : rows[0].length;
        if (width == 0) {
            throw new IllegalArgumentException(what + " row 0 is empty");
        }
        if (shapeOf != null && (rows.length != shapeOf.length || width != shapeOf[0].length)) {
            throw new IllegalArgumentException(what + " is " + rows.length + "x" + width + ", inputIds is "
                    + shapeOf.length + "x" + shapeOf[0].length);
        }
        int[] flat = new int[rows.length * width];
        for (int b = 0; b < rows.length; b++) {
            if (rows[b] == null || rows[b].length != width) {
                throw new IllegalArgumentException(what + " is ragged: row " + b + " has length "
                        + (rows[b] == null ? 0 : rows[b].length) + ", row 0 has " + width);
            }
            System.arraycopy(rows[b], 0, flat, b * width, width);
        }
        return flat;
    }

    private INDArray maskBias(int[][] attentionMask, int[][] inputIds) {
        double[][] bias = new double[batch][seqLen];
        if (attentionMask != null) {
            int[] mask = flatten("attentionMask", attentionMask, inputIds);
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] != 0 && mask[i] != 1) {
                    throw new IllegalArgumentException("attentionMask[" + i / seqLen + "][" + i % seqLen
                            + "] is " + mask[i] + ", expected 0 or 1");
                }
                bias[i / seqLen][i % seqLen] = mask[i] == 1 ? 0 : MASKED_BIAS;
            }
        }
        return Nd4j.createFromArray(bias).castTo(store.dataType());
    }

    private static void requireShape(String what, INDArray a, long... shape) {
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException(what + " has shape " + Arrays.toString(a.shape())
                    + ", expected " + Arrays.toString(shape));
        }
    }
}
