package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Gelu;
import dev.minibert.model.LayerNorm;
import dev.minibert.model.Linear;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
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
    private INDArray transformed;           // [M,H], decoder input kept for backward
    private int[] rows;
    private long hiddenRows;

    public BertLMPredictionHead(BertConfig config, ParameterStore store, Parameter wordEmbeddings, boolean transform) {
        this.wordEmbeddings = wordEmbeddings;
        int h = config.hiddenSize;
        if (transform) {
            dense = new Linear(store, "cls.predictions.transform.dense", h, h);
            gelu = new Gelu();
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

    /** hidden: [N,H] (N = B·T); maskedRows: indices into N. Returns logits [M,V]. */
    public INDArray forward(INDArray hidden, int[] maskedRows) {
        if (maskedRows.length == 0) {
            throw new IllegalArgumentException("no masked positions in the batch: nothing to predict");
        }
        rows = maskedRows.clone();
        hiddenRows = hidden.rows();
        INDArray h = Nd4j.pullRows(hidden, 1, rows);
        transformed = dense == null ? h : layerNorm.forward(gelu.forward(dense.forward(h)));
        INDArray logits = Nd4j.createUninitialized(hidden.dataType(), rows.length, wordEmbeddings.shape()[0]);
        Nd4j.gemm(transformed, wordEmbeddings.value(), logits, false, true, 1.0, 0.0);
        return logits.addiRowVector(bias.value());
    }

    /** dLogits: [M,V]. Adds the decoder's share into the tied word-embedding gradient; returns dHidden [N,H]. */
    public INDArray backward(INDArray dLogits) {
        Nd4j.gemm(dLogits, transformed, wordEmbeddings.grad(), true, false, 1.0, 1.0);
        bias.grad().addi(dLogits.sum(0));
        INDArray dh = Nd4j.createUninitialized(dLogits.dataType(), rows.length, transformed.columns());
        Nd4j.gemm(dLogits, wordEmbeddings.value(), dh, false, false, 1.0, 0.0);
        if (dense != null) {
            dh = dense.backward(gelu.backward(layerNorm.backward(dh)));
        }
        INDArray dHidden = Nd4j.zeros(dLogits.dataType(), hiddenRows, transformed.columns());
        for (int i = 0; i < rows.length; i++) {
            dHidden.getRow(rows[i]).addi(dh.getRow(i));
        }
        return dHidden;
    }
}
