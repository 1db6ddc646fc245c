package dev.minibert.model;

import static dev.minibert.model.GradientCheck.dot;
import static dev.minibert.model.GradientCheck.randn;
import static dev.minibert.model.GradientCheck.randomize;

import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The whole model against finite differences in double: 2 layers, hidden 8, 2 heads, batch 2 with
 * padding in one row, loss = Σ R1 ⊙ lastHiddenState + Σ R2 ⊙ pooled. Every parameter is probed.
 */
class BertModelGradientTest {
    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void everyParameterMatchesFiniteDifferences(BertConfig.NormStyle style) {
        assertParametersMatch(style, 51, TinyBert.SEQ, model -> { },
                model -> model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false));
    }

    /**
     * {@link BertModel#forwardFirstTokens}, whose last layer runs for [CLS] alone, and its backward: loss = Σ R1 ⊙
     * [CLS]'s last hidden state + Σ R2 ⊙ pooled, every parameter probed (the last layer's keys and values reach every
     * token, its query [CLS]'s alone). A whole forward and backward run first, so the gradient buffers the two share
     * hold the whole one's values when the first-tokens backward starts.
     */
    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void theFirstTokensForwardsParametersMatchFiniteDifferences(BertConfig.NormStyle style) {
        assertParametersMatch(style, 61, 1, model -> {
            model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
            model.backward(randn(65, TinyBert.BATCH, TinyBert.SEQ, 8), randn(66, TinyBert.BATCH, 8));
        }, model -> model.forwardFirstTokens(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false));
    }

    /**
     * Seeds the weights with {@code seed}, runs {@code before} (its gradients then zeroed), then checks the backward
     * of {@code forward} (lastHiddenState [B,tokens,8]) against finite differences.
     */
    private static void assertParametersMatch(BertConfig.NormStyle style, long seed, int tokens,
                                              Consumer<BertModel> before,
                                              Function<BertModel, BertModel.Output> forward) {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertModel model = new BertModel(TinyBert.config(style), store, "bert.", true);
        randomize(store, seed);
        INDArray r1 = randn(seed + 1, TinyBert.BATCH, tokens, 8);
        INDArray r2 = randn(seed + 2, TinyBert.BATCH, 8);
        before.accept(model);
        store.zeroGrad();
        forward.apply(model);
        model.backward(r1, r2);
        GradientCheck.assertMatches(() -> {
            BertModel.Output out = forward.apply(model);
            return dot(out.lastHiddenState(), r1) + dot(out.poolerOutput(), r2);
        }, GradientCheck.parameters(store), seed + 3);
    }
}
