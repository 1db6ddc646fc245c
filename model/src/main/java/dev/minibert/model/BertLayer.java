package dev.minibert.model;

import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One transformer block (HF's BertLayer): attention, then the feed-forward block.
 * <pre>
 *   post-norm (BERT): h = LN1(x + Drop(Attn(x)));      y = LN2(h + Drop(FFN(h)))
 *   pre-norm:         h = x + Drop(Attn(LN1(x)));      y = h + Drop(FFN(LN2(h)))
 * </pre>
 * FFN(h) = dense(GELU(dense(h))), the dense layers in {@link BertIntermediate} and {@link BertOutput}.
 * LN1 is {@code attention.output.LayerNorm}, LN2 is {@code output.LayerNorm} in both styles.
 */
public final class BertLayer {
    private final BertAttention attention;
    private final BertIntermediate intermediate;
    private final BertOutput output;

    /** prefix: e.g. "bert.encoder.layer.3.". */
    public BertLayer(ParameterStore store, String prefix, BertConfig config) {
        this.attention = new BertAttention(store, prefix + "attention.", config);
        this.intermediate = new BertIntermediate(store, prefix + "intermediate.", config);
        this.output = new BertOutput(store, prefix + "output.", config);
    }

    /** The arrays its modules write, in a fixed order: the same in every layer, which the memory plan relies on. */
    List<Slot> slots() {
        return Slot.all(attention.slots(), intermediate.slots(), output.slots());
    }

    /** The slot its forward returns, the next layer's input: the only one of its arrays read after its forward. */
    Slot outputSlot() {
        return output.outputSlot();
    }

    /** The intermediate dense layer's output [N,I], the GELU's input: read by nothing else in a forward. */
    Slot geluInputSlot() {
        return intermediate.denseOutputSlot();
    }

    /** The GELU's output [N,I]: under noGrad over {@link #geluInputSlot()}'s memory (the kernel is element-wise). */
    Slot geluOutputSlot() {
        return intermediate.geluOutputSlot();
    }

    /** x: [N,H], maskBias: [B,T] → [N,H], keeping what {@link #backward} reads. */
    public INDArray forward(INDArray x, INDArray maskBias, boolean training) {
        return forward(x, maskBias, training, true);
    }

    /** As {@link #forward(INDArray, INDArray, boolean)}; without keepForBackward its LayerNorms keep no xHat. */
    public INDArray forward(INDArray x, INDArray maskBias, boolean training, boolean keepForBackward) {
        return forward(x, maskBias, null, training, keepForBackward);
    }

    /**
     * As {@link #forward(INDArray, INDArray, boolean, boolean)}, or with {@code selected} (not null) → [M,H], the
     * block's output at the selected tokens alone: the attention reads every token's key and value, the rest runs on M
     * rows, and {@link #backward} then takes dy [M,H]. Module by module, or, in a forward that keeps nothing and drops
     * nothing through a frozen post-norm layer, the rows after the attention block by block ({@link FrozenLayerRows}):
     * the same bits.
     */
    INDArray forward(INDArray x, INDArray maskBias, SelectedTokens selected, boolean training,
                     boolean keepForBackward) {
        BertAttention.Attended attended = attention.attend(x, maskBias, selected, training, keepForBackward);
        if (!training && !keepForBackward) {
            INDArray y = FrozenLayerRows.forward(attention.output(), intermediate.dense(), output, attended.context(),
                    attended.residual());
            if (y != null) {
                return y;
            }
        }
        INDArray h = attention.output().forward(attended.context(), attended.residual(), training, keepForBackward);
        return output.forward(intermediate.forward(output.sublayerInput(h, keepForBackward)), h, training,
                keepForBackward);
    }

    /**
     * dy: [N,H] (after a forward of selected tokens: [M,H]) → dx [N,H]: the feed-forward block's lines inverted, then
     * the attention's.
     */
    public INDArray backward(INDArray dy) {
        ResidualOutput.Grads ffn = output.backward(dy);
        INDArray dh = output.inputBackward(intermediate.backward(ffn.hidden()), ffn);
        return attention.backward(dh);
    }

    void reseedDropout(SplittableRandom seeds) {
        attention.reseedDropout(seeds);
        output.reseedDropout(seeds);
    }
}
