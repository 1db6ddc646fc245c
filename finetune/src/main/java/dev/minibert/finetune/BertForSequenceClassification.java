package dev.minibert.finetune;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Dropout;
import dev.minibert.model.Linear;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.SoftmaxCrossEntropy;
import org.nd4j.linalg.api.ndarray.INDArray;

/** HF's BertForSequenceClassification: pooled [CLS] → dropout → Linear(H, numLabels) ({@code classifier.*}). */
public final class BertForSequenceClassification {
    private final BertModel bert;
    private final Dropout dropout;
    private final Linear classifier;
    private final SoftmaxCrossEntropy crossEntropy;
    private final int numLabels;

    /** @param classWeights per-label loss weights for imbalanced data, or null */
    public BertForSequenceClassification(BertConfig config, ParameterStore store, int numLabels, double[] classWeights) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 labels, got " + numLabels);
        }
        this.numLabels = numLabels;
        this.bert = new BertModel(config, store, "bert.", true);
        this.dropout = new Dropout(config.hiddenDropoutProb, store.kernels());
        this.classifier = new Linear(store, "classifier", config.hiddenSize, numLabels);
        this.crossEntropy = new SoftmaxCrossEntropy(classWeights);
    }

    public BertModel bert() {
        return bert;
    }

    public int numLabels() {
        return numLabels;
    }

    /** One seed fixes the encoder's and the classifier's dropout masks for a step. */
    public void reseedDropout(long seed) {
        bert.reseedDropout(seed);
        dropout.reseed(~seed);
    }

    /** Logits [B,numLabels]; the model's own buffer, valid until the next forward. */
    public INDArray logits(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, boolean training) {
        INDArray pooled = bert.forward(inputIds, tokenTypeIds, attentionMask, training).poolerOutput();
        return classifier.forward(dropout.forward(pooled, training));
    }

    /**
     * Inference's logits [B,numLabels], under {@link BertModel#noGrad()}: the classifier reads [CLS] alone, so the last
     * layer runs for [CLS] only ({@link BertModel#forwardFirstTokens}); {@code logits(…, false)}'s values.
     */
    public INDArray predictLogits(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
        return firstTokenLogits(inputIds, tokenTypeIds, attentionMask, false);
    }

    /**
     * Training step's forward and backward; adds {@code scale}·gradients and returns the mean loss. The loss reads
     * [CLS] alone, so the last layer runs for [CLS] only ({@link BertModel#forwardFirstTokens}), backward too.
     */
    public double forwardBackward(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, int[] labels,
                                  double scale) {
        double loss = crossEntropy.forward(firstTokenLogits(inputIds, tokenTypeIds, attentionMask, true), labels);
        bert.backward(null, dropout.backward(classifier.backward(crossEntropy.backward(scale))));
        return loss;
    }

    private INDArray firstTokenLogits(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, boolean training) {
        INDArray pooled = bert.forwardFirstTokens(inputIds, tokenTypeIds, attentionMask, training).poolerOutput();
        return classifier.forward(dropout.forward(pooled, training));
    }
}
