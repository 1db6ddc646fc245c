package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Linear;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.Scratch;
import dev.minibert.model.kernels.Kernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BERT's MLM head ({@code cls.predictions.*}, HF's BertLMPredictionHead):
 * <pre>
 *   h      = hidden rows at the M masked positions     [M,H]
 *   t      = transform(h) = LN(GELU(dense(h)))          [M,H]  (optional)
 *   logits = t Eᵀ + bias                                [M,V], E the word embeddings [V,H]
 * </pre>
 * The decoder is a {@link Linear} over E itself (tied weights) and its own bias. Only the masked rows are scored,
 * so the [N,V] logits are never materialised. The transform can be switched off for the ablation that shows the
 * encoder's last LayerNorm gamma growing when the head has no LayerNorm of its own.
 */
public final class BertLMPredictionHead {
    private final BertPredictionHeadTransform transform; // null without
    private final Linear decoder;          // weight: the word embeddings [V,H]; bias [V]
    private final Kernels kernels;
    private int[] rows;
    private long hiddenRows;
    // Scratch buffers: kept while their shapes hold, freed at once when M changes from batch to batch
    private INDArray gathered;              // [M,H]
    private INDArray dHidden;               // [N,H]

    public BertLMPredictionHead(BertConfig config, ParameterStore store, Parameter wordEmbeddings, boolean transform) {
        this.transform = transform ? new BertPredictionHeadTransform(config, store) : null;
        Parameter bias = store.add("cls.predictions.bias", config.vocabSize);
        this.decoder = Linear.over(wordEmbeddings, bias, store.kernels());
        this.kernels = store.kernels();
    }

    public boolean hasTransform() {
        return transform != null;
    }

    /**
     * hidden: [N,H] (N = B·T); maskedRows: indices into N, at least one. Returns logits [M,V], valid until the
     * next forward.
     */
    public INDArray forward(INDArray hidden, int[] maskedRows) {
        return forward(hidden, maskedRows, true);
    }

    /**
     * As {@link #forward(INDArray, int[])}; without keepForBackward (the encoder under noGrad) the transform's
     * LayerNorm keeps no xHat.
     */
    public INDArray forward(INDArray hidden, int[] maskedRows, boolean keepForBackward) {
        if (maskedRows.length == 0) {
            throw new IllegalArgumentException("no masked positions in the batch: nothing to predict");
        }
        rows = maskedRows.clone();
        hiddenRows = hidden.rows();
        DataType type = hidden.dataType();
        gathered = Scratch.reuse(gathered, type, rows.length, hidden.columns());
        kernels.gatherRows(hidden, rows, gathered);
        return decoder.forward(transform == null ? gathered : transform.forward(gathered, keepForBackward));
    }

    /**
     * dLogits: [M,V]. Adds the decoder's share into the tied word-embedding gradient; returns dHidden [N,H], zero
     * outside the masked rows and valid until the next backward.
     */
    public INDArray backward(INDArray dLogits) {
        INDArray dTransformed = decoder.backward(dLogits);
        INDArray dh = transform == null ? dTransformed : transform.backward(dTransformed);
        dHidden = Scratch.reuse(dHidden, dh.dataType(), hiddenRows, dh.columns()).assign(0);
        kernels.scatterAddRows(dHidden, rows, dh);
        return dHidden;
    }
}
