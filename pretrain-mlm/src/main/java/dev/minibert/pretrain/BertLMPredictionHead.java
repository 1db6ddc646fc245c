package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Gelu;
import dev.minibert.model.Gemm;
import dev.minibert.model.LayerNorm;
import dev.minibert.model.Linear;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.ScatterAdd;
import dev.minibert.model.Scratch;
import dev.minibert.model.kernels.Kernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT's MLM head ({@code cls.predictions.*}): transform = Dense(H,H) + GELU + LayerNorm, then a
 * decoder tied to the word-embedding matrix plus its own bias. Only the masked rows are scored, so
 * the [B·T,V] logits are never materialised. The transform can be switched off for the ablation that
 * shows the encoder's last LayerNorm gamma growing when the head has no LayerNorm of its own.
 */
public final class BertLMPredictionHead {
    private final Parameter wordEmbeddings; // [V,H], shared with the encoder's input
    private final Parameter bias;           // [V]
    private final Linear dense;             // null without the transform
    private final Gelu gelu;
    private final LayerNorm layerNorm;
    private final Kernels kernels;
    private INDArray transformed;           // [M,H], decoder input kept for backward
    private int[] rows;
    private long hiddenRows;
    // Scratch buffers: kept while their shapes hold, freed at once when M changes from batch to batch
    private INDArray gathered;              // [M,H]
    private INDArray logits;                // [M,V]
    private INDArray dTransformed;          // [M,H]
    private INDArray dHidden;               // [N,H]

    public BertLMPredictionHead(BertConfig config, ParameterStore store, Parameter wordEmbeddings, boolean transform) {
        this.wordEmbeddings = wordEmbeddings;
        this.kernels = store.kernels();
        int h = config.hiddenSize;
        if (transform) {
            dense = new Linear(store, "cls.predictions.transform.dense", h, h);
            gelu = new Gelu(kernels);
            layerNorm = new LayerNorm(store, "cls.predictions.transform.LayerNorm", h, config.layerNormEps);
        } else {
            dense = null;
            gelu = null;
            layerNorm = null;
        }
        this.bias = store.add("cls.predictions.bias", config.vocabSize);
    }

    public boolean hasTransform() {
        return dense != null;
    }

    /**
     * hidden: [N,H] (N = B·T); maskedRows: indices into N, at least one. Returns logits [M,V], valid until the
     * next forward.
     */
    public INDArray forward(INDArray hidden, int[] maskedRows) {
        if (maskedRows.length == 0) {
            throw new IllegalArgumentException("no masked positions in the batch: nothing to predict");
        }
        rows = maskedRows.clone();
        hiddenRows = hidden.rows();
        DataType type = hidden.dataType();
        int m = rows.length;
        long h = hidden.columns();
        long v = wordEmbeddings.shape()[0];
        gathered = Scratch.reuse(gathered, type, m, h);
        Nd4j.pullRows(hidden, gathered, 1, rows);
        transformed = dense == null ? gathered : layerNorm.forward(gelu.forward(dense.forward(gathered)));
        logits = Scratch.reuse(logits, type, m, v);
        Linear.fillWithBias(logits, bias.value());
        Gemm.gemm(transformed, wordEmbeddings.value(), logits, false, true, 1.0, 1.0);
        return logits;
    }

    /**
     * dLogits: [M,V]. Adds the decoder's share into the tied word-embedding gradient; returns dHidden [N,H], zero
     * outside the masked rows and valid until the next backward.
     */
    public INDArray backward(INDArray dLogits) {
        Gemm.gemm(dLogits, transformed, wordEmbeddings.grad(), true, false, 1.0, 1.0);
        kernels.addColumnSums(dLogits, bias.grad());
        dTransformed = Scratch.reuse(dTransformed, dLogits.dataType(), rows.length, transformed.columns());
        Gemm.gemm(dLogits, wordEmbeddings.value(), dTransformed, false, false, 1.0, 0.0);
        INDArray dh = dense == null ? dTransformed : dense.backward(gelu.backward(layerNorm.backward(dTransformed)));
        dHidden = Scratch.reuse(dHidden, dh.dataType(), hiddenRows, dh.columns()).assign(0);
        ScatterAdd.rows(dHidden, rows, dh);
        return dHidden;
    }
}
