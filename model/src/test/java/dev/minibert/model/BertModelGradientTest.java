package dev.minibert.model;

import static dev.minibert.model.GradientCheck.dot;
import static dev.minibert.model.GradientCheck.randn;
import static dev.minibert.model.GradientCheck.randomize;

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
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertModel model = new BertModel(TinyBert.config(style), store, "bert.", true);
        randomize(store, 51);
        INDArray r1 = randn(52, TinyBert.BATCH, TinyBert.SEQ, 8);
        INDArray r2 = randn(53, TinyBert.BATCH, 8);
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        model.backward(r1, r2);
        GradientCheck.assertMatches(() -> {
            BertModel.Output out = model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
            return dot(out.lastHiddenState(), r1) + dot(out.poolerOutput(), r2);
        }, GradientCheck.parameters(store), 54);
    }
}
