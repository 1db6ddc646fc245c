package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.SoftmaxCrossEntropy;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The encoder (no pooler) with {@link BertLMPredictionHead}; loss only at masked positions. */
public final class BertForMaskedLM {
    /** loss: mean cross-entropy over masked tokens; correct: how many argmax predictions hit the label. */
    public record Result(double loss, int correct, int predictions) {
        public double accuracy() {
            return predictions == 0 ? 0 : (double) correct / predictions;
        }
    }

    private final BertModel bert;
    private final BertLMPredictionHead head;
    private final SoftmaxCrossEntropy crossEntropy = new SoftmaxCrossEntropy();

    public BertForMaskedLM(BertConfig config, ParameterStore store, boolean headTransform) {
        this.bert = new BertModel(config, store, "bert.", false);
        this.head = new BertLMPredictionHead(config, store, bert.embeddings().wordEmbeddings().weight(), headTransform);
    }

    public BertModel bert() {
        return bert;
    }

    public BertLMPredictionHead head() {
        return head;
    }

    /**
     * Logits [M,V] at maskedRows (indices b·T + t, ascending): the encoder's last layer runs for those rows alone
     * ({@link BertModel#forwardRows}).
     */
    public INDArray logits(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, int[] maskedRows,
                           boolean training) {
        if (maskedRows.length == 0) {
            throw new IllegalArgumentException("no masked positions in the batch: nothing to predict");
        }
        return head.forward(bert.forwardRows(inputIds, tokenTypeIds, attentionMask, maskedRows, training),
                bert.gradEnabled());
    }

    /** Forward only (evaluation): loss and masked-token accuracy. */
    public Result evaluate(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, int[] maskedRows,
                           int[] labels) {
        try (BertModel.NoGrad noGrad = bert.noGrad()) {
            INDArray logits = logits(inputIds, tokenTypeIds, attentionMask, maskedRows, false);
            int correct = countCorrect(logits, labels);
            return new Result(crossEntropy.forward(logits, labels), correct, labels.length);
        }
    }

    /** Forward and backward in training mode; gradients scaled by {@code scale} are added. */
    public Result forwardBackward(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask, int[] maskedRows,
                                  int[] labels, double scale) {
        INDArray logits = logits(inputIds, tokenTypeIds, attentionMask, maskedRows, true);
        int correct = countCorrect(logits, labels);
        double loss = crossEntropy.forward(logits, labels);
        bert.backward(head.backward(crossEntropy.backward(scale)), null);
        return new Result(loss, correct, labels.length);
    }

    private static int countCorrect(INDArray logits, int[] labels) {
        INDArray argmax = logits.argMax(1);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (argmax.getInt(i) == labels[i]) {
                correct++;
            }
        }
        return correct;
    }
}
