package dev.minibert.model;

import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF's BertAttention ({@code attention.*}): self-attention and its output block.
 * <pre>
 *   post-norm (BERT): y = LN(x + Drop(dense(SelfAttn(x))))
 *   pre-norm:         y = x + Drop(dense(SelfAttn(LN(x))))
 * </pre>
 * LN is {@code attention.output.LayerNorm} in both styles.
 */
public final class BertAttention {
    private final BertSelfAttention self;
    private final BertSelfOutput output;
    private FirstTokens first; // where forwardFirstTokens took its residual; null after forward
    private INDArray firstTokenResidual; // forwardFirstTokens' residual: x's rows b·T, [B,H]

    /** prefix: e.g. "bert.encoder.layer.3.attention.". */
    public BertAttention(ParameterStore store, String prefix, BertConfig config) {
        this.self = new BertSelfAttention(store, prefix + "self.", config);
        this.output = new BertSelfOutput(store, prefix + "output.", config);
    }

    /** The arrays its self-attention and output block write. */
    List<Slot> slots() {
        return Slot.all(self.slots(), output.slots());
    }

    /** x: [N,H], maskBias: [B,T] → [N,H]. */
    public INDArray forward(INDArray x, INDArray maskBias, boolean training) {
        return forward(x, maskBias, training, true);
    }

    /** As {@link #forward(INDArray, INDArray, boolean)}; without keepForBackward its LayerNorm keeps no xHat. */
    public INDArray forward(INDArray x, INDArray maskBias, boolean training, boolean keepForBackward) {
        first = null;
        return output.forward(self.forward(output.sublayerInput(x, keepForBackward), maskBias, training), x, training,
                keepForBackward);
    }

    /**
     * The block's output at each sequence's first token alone, [B,H]: keys and values from every token of x [N,H],
     * everything after the attention's products on B rows; {@link #backward} then takes dy [B,H].
     */
    INDArray forwardFirstTokens(INDArray x, INDArray maskBias, boolean training, boolean keepForBackward) {
        INDArray context = self.forwardFirstTokens(output.sublayerInput(x, keepForBackward), maskBias, training);
        first = new FirstTokens((int) maskBias.size(0), (int) maskBias.size(1));
        firstTokenResidual = Scratch.reuse(firstTokenResidual, x.dataType(), first.batch(), x.columns());
        firstTokenResidual.assign(first.rows(x));
        return output.forward(context, firstTokenResidual, training, keepForBackward);
    }

    /**
     * dy: [N,H] (after {@link #forwardFirstTokens}: [B,H]) → dx [N,H]: through the output block, the attention, and
     * the residual path.
     */
    public INDArray backward(INDArray dy) {
        ResidualOutput.Grads grads = output.backward(dy);
        if (first == null) {
            return output.inputBackward(self.backward(grads.hidden()), grads);
        }
        INDArray dx = output.sublayerBackward(self.backward(grads.hidden()));
        first.rows(dx).addi(grads.residual()); // the residual path reaches the first tokens' rows alone
        return dx;
    }

    void reseedDropout(SplittableRandom seeds) {
        self.reseedDropout(seeds);
        output.reseedDropout(seeds);
    }
}
