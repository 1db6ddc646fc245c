package dev.minibert.finetune;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.GradientCheck;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.SameDiffBert;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** SameDiff autodiff of the classification loss (pooled [CLS] → classifier, weighted CE) against ours, in float. */
class BertForSequenceClassificationSameDiffTest {
    private static final int[][] IDS = {{2, 7, 4, 9, 3}, {2, 5, 4, 3, 0}, {2, 8, 3, 0, 0}};
    private static final int[][] TYPES = {{0, 0, 0, 1, 1}, {0, 0, 1, 1, 0}, {0, 0, 0, 0, 0}};
    private static final int[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}, {1, 1, 1, 0, 0}};
    private static final int[] LABELS = {2, 0, 2};

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @ParameterizedTest
    @CsvSource({"POST,false", "PRE,true"})
    void lossAndEveryGradientAgreeWithSameDiff(BertConfig.NormStyle style, boolean weighted) {
        BertConfig config = BertConfig.builder().vocabSize(11).hiddenSize(8).numHiddenLayers(2).numAttentionHeads(2)
                .intermediateSize(12).maxPositionEmbeddings(8).hiddenDropoutProb(0).attentionProbsDropoutProb(0)
                .normStyle(style).build();
        double[] classWeights = weighted ? new double[] {0.5, 2.0, 1.5} : null;
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForSequenceClassification model = new BertForSequenceClassification(config, store, 3, classWeights);
        GradientCheck.randomize(store, 25);
        store.zeroGrad();
        double loss = model.forwardBackward(IDS, TYPES, MASK, LABELS, 1.0);

        SameDiffBert oracle = new SameDiffBert(config, store, IDS, TYPES, MASK);
        SDVariable logits = oracle.linear(oracle.pooled, "classifier");
        SDVariable lossVar = oracle.sd.identity("loss", oracle.crossEntropy(logits, LABELS, 3, classWeights));
        oracle.sd.setLossVariables(lossVar);
        INDArray reference = oracle.sd.output(java.util.Collections.emptyMap(), "loss").get("loss");
        SameDiffBert.assertClose("loss", Nd4j.scalar(loss).castTo(DataType.FLOAT), reference.reshape(new long[0]));

        Map<String, INDArray> grads = oracle.gradients();
        for (Parameter p : store) {
            INDArray g = grads.get(p.name());
            SameDiffBert.assertClose(p.name() + ".grad", p.grad(), g == null ? p.grad().mul(0) : g);
        }
    }
}
