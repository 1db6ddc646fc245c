package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.GradientCheck;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.SameDiffBert;
import dev.minibert.model.Parameter;
import dev.minibert.model.SoftmaxCrossEntropy;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Finite differences (double) and SameDiff autodiff (float) through the whole classifier loss: encoder, pooler and {@code classifier.*},
 * both norm styles, with and without class weights. Dropout is 0 because the finite-difference loss runs
 * in eval mode.
 */
class BertForSequenceClassificationGradientTest {
    private static final int[][] IDS = {{2, 7, 4, 9, 3}, {2, 5, 3, 6, 3}, {2, 8, 3, 0, 0}};
    private static final int[][] TYPES = {{0, 0, 0, 0, 0}, {0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}};
    private static final int[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
    private static final int[] LABELS = {2, 0, 2};

    /** 2 layers, hidden 8, 2 heads, no dropout (the finite-difference loss runs in eval mode). */
    private static BertConfig config(BertConfig.NormStyle style) {
        return BertConfig.builder().vocabSize(11).hiddenSize(8).numHiddenLayers(2).numAttentionHeads(2)
                .intermediateSize(12).maxPositionEmbeddings(8).hiddenDropoutProb(0).attentionProbsDropoutProb(0)
                .normStyle(style).build();
    }

    private static double[] weights(boolean weighted) {
        return weighted ? new double[] {0.5, 3.0, 1.25} : null;
    }

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @ParameterizedTest
    @CsvSource({"POST,false", "PRE,true"})
    void lossGradientMatchesFiniteDifferences(BertConfig.NormStyle style, boolean weighted) {
        BertConfig config = config(style);
        double[] weights = weights(weighted);
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertForSequenceClassification model = new BertForSequenceClassification(config, store, 3, weights);
        GradientCheck.randomize(store, 11);
        store.zeroGrad();
        double loss = model.forwardBackward(IDS, TYPES, MASK, LABELS, 1.0);
        SoftmaxCrossEntropy evalLoss = new SoftmaxCrossEntropy(weights);
        assertThat(evalLoss.forward(model.logits(IDS, TYPES, MASK, false), LABELS))
                .as("training-mode loss without dropout equals the eval-mode loss").isCloseTo(loss, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(store.get("classifier.weight").grad().norm2Number().doubleValue()).isPositive();
        assertThat(store.get("bert.pooler.dense.weight").grad().norm2Number().doubleValue()).isPositive();
        double worst = GradientCheck.assertMatches(() -> evalLoss.forward(model.logits(IDS, TYPES, MASK, false), LABELS),
                GradientCheck.parameters(store), 3);
        assertThat(worst).isLessThan(GradientCheck.MAX_REL_ERROR);
    }

    @ParameterizedTest
    @CsvSource({"POST,false", "PRE,true"})
    void lossAndEveryGradientAgreeWithSameDiff(BertConfig.NormStyle style, boolean weighted) {
        BertConfig config = config(style);
        double[] classWeights = weights(weighted);
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
