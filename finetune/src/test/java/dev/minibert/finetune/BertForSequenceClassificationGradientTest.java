package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.GradientCheck;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.SoftmaxCrossEntropy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Finite differences (double) through the whole classifier loss: encoder, pooler and {@code classifier.*},
 * both norm styles, with and without class weights. Dropout is 0 because the finite-difference loss runs
 * in eval mode.
 */
class BertForSequenceClassificationGradientTest {
    private static final int[][] IDS = {{2, 7, 4, 9, 3}, {2, 5, 3, 6, 3}, {2, 8, 3, 0, 0}};
    private static final int[][] TYPES = {{0, 0, 0, 0, 0}, {0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}};
    private static final int[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
    private static final int[] LABELS = {2, 0, 2};

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @ParameterizedTest
    @CsvSource({"POST,false", "PRE,true"})
    void lossGradientMatchesFiniteDifferences(BertConfig.NormStyle style, boolean weighted) {
        BertConfig config = BertConfig.builder().vocabSize(10).hiddenSize(8).numHiddenLayers(2).numAttentionHeads(2)
                .intermediateSize(12).maxPositionEmbeddings(8).hiddenDropoutProb(0).attentionProbsDropoutProb(0)
                .normStyle(style).build();
        double[] weights = weighted ? new double[] {0.5, 3.0, 1.25} : null;
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
}
