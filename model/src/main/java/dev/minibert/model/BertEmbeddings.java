package dev.minibert.model;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * word + position + token_type embeddings, then LayerNorm (post-norm only) and dropout. In pre-norm the
 * LayerNorm is registered, for file compatibility with the PyTorch peer, but not applied.
 */
public final class BertEmbeddings {
    private final Embedding word;
    private final Embedding position;
    private final Embedding tokenType;
    private final LayerNorm layerNorm;
    private final Dropout dropout;
    private final boolean postNorm;
    private INDArray sum;

    /** prefix: the model's, e.g. "bert.". */
    public BertEmbeddings(ParameterStore store, String prefix, BertConfig config) {
        String p = prefix + "embeddings.";
        int h = config.hiddenSize;
        this.word = new Embedding(store, p + "word_embeddings", config.vocabSize, h);
        this.position = new Embedding(store, p + "position_embeddings", config.maxPositionEmbeddings, h);
        this.tokenType = new Embedding(store, p + "token_type_embeddings", config.typeVocabSize, h);
        this.layerNorm = new LayerNorm(store, p + "LayerNorm", h, config.layerNormEps);
        this.dropout = new Dropout(config.hiddenDropoutProb, store.kernels());
        this.postNorm = config.normStyle == BertConfig.NormStyle.POST;
    }

    /** ids, typeIds, positionIds: [N] flattened (b·T + t) → [N,H]. */
    public INDArray forward(int[] ids, int[] typeIds, int[] positionIds, boolean training) {
        return forward(ids, typeIds, positionIds, training, true);
    }

    /** As {@link #forward(int[], int[], int[], boolean)}; without keepForBackward the LayerNorm keeps no xHat. */
    public INDArray forward(int[] ids, int[] typeIds, int[] positionIds, boolean training, boolean keepForBackward) {
        INDArray w = word.forward(ids);
        sum = Scratch.reuse(sum, w.dataType(), w.shape());
        w.add(position.forward(positionIds), sum).addi(tokenType.forward(typeIds));
        return dropout.forward(postNorm ? layerNorm.forward(sum, keepForBackward) : sum, training);
    }

    /**
     * dy: [N,H]; inverting y = Drop(LN(sum)) and sum = word[ids] + position[positions] + tokenType[types], each
     * table's rows get dSum added (repeated ids accumulate).
     */
    public void backward(INDArray dy) {
        INDArray g = dropout.backward(dy);
        if (postNorm) {
            g = layerNorm.backward(g);
        }
        word.backward(g);
        position.backward(g);
        tokenType.backward(g);
    }

    /** The tied decoder of the MLM head reads this table. */
    public Embedding wordEmbeddings() {
        return word;
    }

    void reseedDropout(SplittableRandom seeds) {
        dropout.reseed(seeds.nextLong());
    }
}
