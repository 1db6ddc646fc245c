package dev.minibert.model;

import static dev.minibert.model.GradientCheck.dot;
import static dev.minibert.model.GradientCheck.randn;
import static dev.minibert.model.GradientCheck.randomize;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
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
        assertParametersMatch(style, 51, model -> { },
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
        assertParametersMatch(style, 61, BertModelGradientTest::wholeForwardAndBackward,
                model -> model.forwardFirstTokens(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false));
    }

    /**
     * {@link BertModel#forwardRows}, whose last layer runs for the given rows alone (the MLM loss's masked tokens), and
     * its backward: loss = Σ R1 ⊙ the last hidden state at those rows. Rows 3 and 1 per sequence (the attention pads
     * the second sequence's queries), all in the first sequence (the second has none), all in the second; after a
     * whole forward and backward, as above.
     */
    @ParameterizedTest
    @MethodSource("stylesAndRows")
    void theSelectedRowsForwardsParametersMatchFiniteDifferences(BertConfig.NormStyle style, int[] rows) {
        assertParametersMatch(style, 71, BertModelGradientTest::wholeForwardAndBackward, model -> new BertModel.Output(
                model.forwardRows(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, rows, false), null));
    }

    static Stream<Arguments> stylesAndRows() {
        return Stream.of(BertConfig.NormStyle.values()).flatMap(style -> Stream.of(new int[] {1, 2, 4, 6},
                new int[] {0, 3, 4}, new int[] {5, 6, 7}).map(rows -> Arguments.of(style, rows)));
    }

    private static void wholeForwardAndBackward(BertModel model) {
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        model.backward(randn(65, TinyBert.BATCH, TinyBert.SEQ, 8), randn(66, TinyBert.BATCH, 8));
    }

    /**
     * Seeds the weights with {@code seed}, runs {@code before} (its gradients then zeroed), then checks the backward
     * of {@code forward} (loss = Σ R1 ⊙ lastHiddenState + Σ R2 ⊙ pooled, where it pools) against finite
     * differences.
     */
    private static void assertParametersMatch(BertConfig.NormStyle style, long seed, Consumer<BertModel> before,
                                              Function<BertModel, BertModel.Output> forward) {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertModel model = new BertModel(TinyBert.config(style), store, "bert.", true);
        randomize(store, seed);
        before.accept(model);
        store.zeroGrad();
        BertModel.Output output = forward.apply(model);
        INDArray r1 = randn(seed + 1, output.lastHiddenState().shape());
        INDArray r2 = output.poolerOutput() == null ? null : randn(seed + 2, TinyBert.BATCH, 8);
        model.backward(r1, r2);
        GradientCheck.assertMatches(() -> {
            BertModel.Output out = forward.apply(model);
            return dot(out.lastHiddenState(), r1) + (r2 == null ? 0 : dot(out.poolerOutput(), r2));
        }, GradientCheck.parameters(store), seed + 3);
    }
}
