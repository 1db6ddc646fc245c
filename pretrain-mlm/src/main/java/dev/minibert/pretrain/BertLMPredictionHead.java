package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Linear;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BERT's MLM head ({@code cls.predictions.*}, HF's BertLMPredictionHead):
 * <pre>
 *   h      = the last hidden state at the M masked positions   [M,H]
 *   t      = transform(h) = LN(GELU(dense(h)))                  [M,H]  (optional)
 *   logits = t Eᵀ + bias                                        [M,V], E the word embeddings [V,H]
 * </pre>
 * The decoder is a {@link Linear} over E itself (tied weights) and its own bias. Only the masked rows are scored
 * (the encoder computes its last layer for them alone: {@code BertModel.forwardRows}), so the [N,V] logits are never
 * materialised. The transform can be switched off for the ablation that shows the encoder's last LayerNorm gamma
 * growing when the head has no LayerNorm of its own.
 */
public final class BertLMPredictionHead {
    private final BertPredictionHeadTransform transform; // null without
    private final Linear decoder;          // weight: the word embeddings [V,H]; bias [V]

    public BertLMPredictionHead(BertConfig config, ParameterStore store, Parameter wordEmbeddings, boolean transform) {
        this.transform = transform ? new BertPredictionHeadTransform(config, store) : null;
        Parameter bias = store.add("cls.predictions.bias", config.vocabSize);
        this.decoder = Linear.over(wordEmbeddings, bias, store.kernels());
    }

    public boolean hasTransform() {
        return transform != null;
    }

    /**
     * maskedHidden: [M,H], the last hidden state at the masked positions. Returns logits [M,V],
     * valid until the next forward. Without keepForBackward (the encoder under noGrad) the transform's LayerNorm keeps
     * no xHat.
     */
    public INDArray forward(INDArray maskedHidden, boolean keepForBackward) {
        return decoder.forward(transform == null ? maskedHidden : transform.forward(maskedHidden, keepForBackward));
    }

    /**
     * dLogits: [M,V]. Adds the decoder's share into the tied word-embedding gradient; returns dMaskedHidden [M,H],
     * valid until the next backward.
     */
    public INDArray backward(INDArray dLogits) {
        INDArray dTransformed = decoder.backward(dLogits);
        return transform == null ? dTransformed : transform.backward(dTransformed);
    }
}
