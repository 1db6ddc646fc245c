package dev.minibert.pretrain;

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
 * Finite differences (double) through the MLM loss: head transform, tied decoder (whose gradient must be
 * the sum of the input-embedding and decoder uses) and the encoder, in both norm styles, with and without
 * the head transform.
 */
class BertForMaskedLMGradientTest {
    private static final int[][] IDS = {{2, 7, 4, 9, 3}, {2, 5, 4, 3, 0}};
    private static final int[][] TYPES = {{0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}};
    private static final int[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}};
    private static final int[] ROWS = {1, 3, 6, 7};
    private static final int[] LABELS = {7, 9, 5, 10};

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @ParameterizedTest
    @CsvSource({"POST,true", "PRE,true", "POST,false"})
    void lossGradientMatchesFiniteDifferences(BertConfig.NormStyle style, boolean transform) {
        BertConfig config = BertConfig.builder().vocabSize(11).hiddenSize(8).numHiddenLayers(2).numAttentionHeads(2)
                .intermediateSize(12).maxPositionEmbeddings(8).hiddenDropoutProb(0).attentionProbsDropoutProb(0)
                .normStyle(style).build();
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertForMaskedLM model = new BertForMaskedLM(config, store, transform);
        GradientCheck.randomize(store, 5);
        store.zeroGrad();
        model.forwardBackward(IDS, TYPES, MASK, ROWS, LABELS, 1.0);
        assertThat(store.get("bert.embeddings.word_embeddings.weight").grad().getDouble(10, 0))
                .as("decoder-only row 10 gets gradient through the tied decoder").isNotZero();
        double worst = GradientCheck.assertMatches(() -> new SoftmaxCrossEntropy().forward(
                model.logits(IDS, TYPES, MASK, ROWS, false), LABELS), GradientCheck.parameters(store), 6);
        assertThat(worst).isLessThan(GradientCheck.MAX_REL_ERROR);
    }
}
