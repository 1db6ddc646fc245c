package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
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
    private final Kernels kernels;
    private SelectedTokens selected; // where attend took its residual; null after a forward of every token
    private INDArray selectedResidual; // that residual: x's selected rows, [M,H]

    /** prefix: e.g. "bert.encoder.layer.3.attention.". */
    public BertAttention(ParameterStore store, String prefix, BertConfig config) {
        this.self = new BertSelfAttention(store, prefix + "self.", config);
        this.output = new BertSelfOutput(store, prefix + "output.", config);
        this.kernels = store.kernels();
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
        Attended attended = attend(x, maskBias, null, training, keepForBackward);
        return output.forward(attended.context(), attended.residual(), training, keepForBackward);
    }

    /** The self-attention's context and the residual the output block adds to it: x, or x's selected rows. */
    record Attended(INDArray context, INDArray residual) {
    }

    /**
     * The self-attention alone, for every token of x (selected null) or the selected ones (keys and values from every
     * token, queries from those alone): what the output block ({@link #output()}) then reads, on M rows after a
     * selection, and {@link #backward} then takes dy [M,H].
     */
    Attended attend(INDArray x, INDArray maskBias, SelectedTokens selected, boolean training,
                    boolean keepForBackward) {
        this.selected = selected;
        INDArray input = output.sublayerInput(x, keepForBackward);
        if (selected == null) {
            return new Attended(self.forward(input, maskBias, training), x);
        }
        INDArray context = self.forwardSelected(input, maskBias, selected, training);
        selectedResidual = Scratch.reuse(selectedResidual, x.dataType(), selected.count(), x.columns());
        kernels.gatherRows(x, selected.rows(), selectedResidual);
        return new Attended(context, selectedResidual);
    }

    /** The output block: dense, dropout, residual and LayerNorm. */
    BertSelfOutput output() {
        return output;
    }

    /**
     * dy: [N,H] (after {@link #attend} of selected tokens: [M,H]) → dx [N,H]: through the output block, the
     * attention, and the residual path.
     */
    public INDArray backward(INDArray dy) {
        ResidualOutput.Grads grads = output.backward(dy);
        if (selected == null) {
            return output.inputBackward(self.backward(grads.hidden()), grads);
        }
        INDArray dx = output.sublayerBackward(self.backward(grads.hidden()));
        // the residual path reaches the selected rows alone
        kernels.scatterAddRows(dx, selected.rows(), grads.residual());
        return dx;
    }

    void reseedDropout(SplittableRandom seeds) {
        self.reseedDropout(seeds);
        output.reseedDropout(seeds);
    }
}
