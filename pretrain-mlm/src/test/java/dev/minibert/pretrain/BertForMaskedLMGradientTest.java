package dev.minibert.pretrain;

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
 * Finite differences (double) and SameDiff autodiff (float) through the MLM loss: head transform, tied decoder (whose gradient must be
 * the sum of the input-embedding and decoder uses) and the encoder, in both norm styles, with and without
 * the head transform.
 */
class BertForMaskedLMGradientTest {
    private static final int[][] IDS = {{2, 7, 4, 9, 3}, {2, 5, 4, 3, 0}};
    private static final int[][] TYPES = {{0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}};
    private static final int[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}};
    private static final int[] ROWS = {1, 3, 4, 7}; // three in the first sequence, one in the second: padded queries
    private static final int[] LABELS = {7, 9, 5, 10};

    /** 2 layers, hidden 8, 2 heads, no dropout (the finite-difference loss runs in eval mode). */
    private static BertConfig config(BertConfig.NormStyle style) {
        return BertConfig.builder().vocabSize(11).hiddenSize(8).numHiddenLayers(2).numAttentionHeads(2)
                .intermediateSize(12).maxPositionEmbeddings(8).hiddenDropoutProb(0).attentionProbsDropoutProb(0)
                .normStyle(style).build();
    }

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @ParameterizedTest
    @CsvSource({"POST,true", "PRE,true", "POST,false"})
    void lossGradientMatchesFiniteDifferences(BertConfig.NormStyle style, boolean transform) {
        BertConfig config = config(style);
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

    @ParameterizedTest
    @CsvSource({"POST,true", "PRE,true", "POST,false"})
    void lossAndEveryGradientAgreeWithSameDiff(BertConfig.NormStyle style, boolean transform) {
        BertConfig config = config(style);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForMaskedLM model = new BertForMaskedLM(config, store, transform);
        GradientCheck.randomize(store, 15);
        store.zeroGrad();
        double loss = model.forwardBackward(IDS, TYPES, MASK, ROWS, LABELS, 1.0).loss();

        SameDiffBert oracle = new SameDiffBert(config, store, IDS, TYPES, MASK);
        SDVariable h = oracle.rows(oracle.last, ROWS);
        if (transform) {
            h = oracle.layerNorm(oracle.gelu(oracle.linear(h, "cls.predictions.transform.dense")),
                    "cls.predictions.transform.LayerNorm");
        }
        SDVariable logits = oracle.sd.mmul(h, oracle.w("bert.embeddings.word_embeddings.weight"), false, true, false)
                .add(oracle.w("cls.predictions.bias"));
        SDVariable lossVar = oracle.sd.identity("loss", oracle.crossEntropy(logits, LABELS, config.vocabSize, null));
        oracle.sd.setLossVariables(lossVar);
        INDArray reference = oracle.sd.output(java.util.Collections.emptyMap(), "loss").get("loss");
        SameDiffBert.assertClose("loss", org.nd4j.linalg.factory.Nd4j.scalar(loss).castTo(DataType.FLOAT),
                reference.reshape(new long[0]));

        Map<String, INDArray> grads = oracle.gradients();
        for (Parameter p : store) {
            INDArray g = grads.get(p.name());
            if (g == null) {
                // pre-norm registers the embeddings LayerNorm (for the peer's file layout) but never applies it
                SameDiffBert.assertClose(p.name() + ".grad", p.grad(), p.grad().mul(0));
            } else {
                SameDiffBert.assertClose(p.name() + ".grad", p.grad(), g);
            }
        }
    }
}
