package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What HF's BertSelfOutput and BertOutput share: dense → dropout → + residual, then LayerNorm in
 * post-norm. In pre-norm the LayerNorm (same HF name) is applied to the block's input instead
 * ({@link #sublayerInput}), and the output only adds the residual.
 */
public abstract class ResidualOutput {
    /** Gradients w.r.t. the block's two inputs: the dense input and the residual stream. */
    public record Grads(INDArray hidden, INDArray residual) {
    }

    private final Linear dense;
    private final LayerNorm layerNorm;
    private final Dropout dropout;
    private final Kernels kernels;
    private final boolean postNorm;
    private final Slot sum; // residual + Drop(dense(hidden)) [N,H]

    ResidualOutput(ParameterStore store, String prefix, int in, BertConfig config) {
        this.dense = new Linear(store, prefix + "dense", in, config.hiddenSize);
        this.layerNorm = new LayerNorm(store, prefix + "LayerNorm", config.hiddenSize, config.layerNormEps);
        this.dropout = new Dropout(config.hiddenDropoutProb, store.kernels(), "N,H");
        this.kernels = store.kernels();
        this.postNorm = config.normStyle == BertConfig.NormStyle.POST;
        this.sum = Slot.forward(prefix + "sum", "N,H").passedOn();
        // read only by the next module of this forward: no backward reads dense's output or the sum (the dropout
        // writes into the sum directly: forwardAdding)
        dense.outputSlot().passedOn();
    }

    /** The arrays it and its dense, dropout and LayerNorm write. */
    List<Slot> slots() {
        return Slot.all(dense.slots(), dropout.slotsWhenAdding(), List.of(sum), layerNorm.slots());
    }

    /** The slot {@link #forward} returns: LayerNorm's y in post-norm, the sum in pre-norm. */
    Slot outputSlot() {
        return postNorm ? layerNorm.outputSlot() : sum;
    }

    /** hidden: [N,in], residual: [N,H] → post: LN(residual + Drop(dense(hidden))); pre: without the LN. */
    public INDArray forward(INDArray hidden, INDArray residual, boolean training) {
        return forward(hidden, residual, training, true);
    }

    /** As {@link #forward(INDArray, INDArray, boolean)}; without keepForBackward the LayerNorm keeps no xHat. */
    public INDArray forward(INDArray hidden, INDArray residual, boolean training, boolean keepForBackward) {
        INDArray s = sum.array(residual.dataType(), residual.shape());
        if (training || !dense.forwardAdding(hidden, residual, s)) { // a frozen model's takes one pass
            dropout.forwardAdding(dense.forward(hidden), residual, s, training);
        }
        return postNorm ? layerNorm.forward(s, keepForBackward) : s;
    }

    /**
     * A frozen post-norm block's rows, y = LN(residual + dense(hidden)), to be run row block by row block on the
     * kernel threads ({@link FrozenLayerRows}): the residual added in the product's epilogue, then the LayerNorm of
     * those rows while they are in cache. Null where it cannot run so (a trainable store, pre-norm, no packed weight,
     * arrays the packed product does not take); the caller then takes {@link #forward}.
     */
    Rows frozenRows(INDArray residual) {
        PackedWeight packed = dense.packed();
        if (!postNorm || packed == null) {
            return null;
        }
        INDArray s = sum.array(residual.dataType(), residual.shape());
        if (!packed.fitsAddend(residual, s)) {
            return null;
        }
        dropout.forward(s, false); // drops nothing: forgets an earlier forward's mask
        return new Rows(packed, layerNorm.rows((int) residual.rows()), residual, s);
    }

    /**
     * {@link #frozenRows}' product, LayerNorm and arrays: the residual and the sum [N,H], the sum and the LayerNorm's
     * output over the slots {@link #forward} writes.
     */
    record Rows(PackedWeight dense, LayerNorm.Rows layerNorm, INDArray residual, INDArray sum) {
        /** Output rows [row, row + count), from hidden's rows at hiddenRow (a row block of its own, or the same rows). */
        void run(INDArray hidden, int hiddenRow, int row, int count) {
            dense.forwardRows(hidden, hiddenRow, residual, sum, row, count, PackedWeight.Epilogue.ADD);
            layerNorm.forward(sum, row, row + count);
        }

        /** Whether hidden [N,in] is an input the packed product takes (dense rows). */
        boolean takes(INDArray hidden) {
            return dense.fits(hidden, sum);
        }

        /** LN(sum) [N,H], the block's output. */
        INDArray output() {
            return layerNorm.output();
        }
    }

    /**
     * dy → the gradients of both inputs, inverting sum = residual + Drop(dense(hidden)) and, post-norm, y = LN(sum):
     * dResidual = dSum, dHidden = dense'(Drop'(dSum)).
     */
    public Grads backward(INDArray dy) {
        INDArray dSum = postNorm ? layerNorm.backward(dy) : dy;
        INDArray dHidden = dense.backward(dropout.backward(dSum));
        return new Grads(dHidden, dSum);
    }

    /** What the block's sublayer reads: LN(x) in pre-norm, x itself in post-norm. */
    public INDArray sublayerInput(INDArray x) {
        return sublayerInput(x, true);
    }

    /** As {@link #sublayerInput(INDArray)}; without keepForBackward the LayerNorm keeps no xHat. */
    public INDArray sublayerInput(INDArray x, boolean keepForBackward) {
        return postNorm ? x : layerNorm.forward(x, keepForBackward);
    }

    /**
     * The gradient of the block's input x: dSublayerInput back through {@link #sublayerInput}, plus the residual
     * stream's {@code grads.residual()}; written over dSublayerInput (post-norm) or LayerNorm's dx (pre-norm).
     */
    public INDArray inputBackward(INDArray dSublayerInput, Grads grads) {
        INDArray dx = sublayerBackward(dSublayerInput);
        kernels.sum(dx, grads.residual(), dx);
        return dx;
    }

    /** dSublayerInput back through {@link #sublayerInput} alone: itself (post-norm) or LayerNorm's dx (pre-norm). */
    public INDArray sublayerBackward(INDArray dSublayerInput) {
        return postNorm ? dSublayerInput : layerNorm.backward(dSublayerInput);
    }

    void reseedDropout(SplittableRandom seeds) {
        dropout.reseed(seeds.nextLong());
    }
}
