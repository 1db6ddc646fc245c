package dev.minibert.model;

import static dev.minibert.model.GradientCheck.randn;
import static dev.minibert.model.GradientCheck.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SameDiff autodiff of the same BERT graph, built independently from primitive ops, as the oracle for
 * our forward outputs and every parameter gradient in FLOAT. Lookups are one-hot × matrix (SameDiff's
 * gather backward is broken in M2.1); GELU is built from {@code sd.math.erf} because ND4J's gelu ops
 * are approximations.
 * Tolerance: per tensor, max |ours − SameDiff| ≤ 2e-5 · max(1, max |SameDiff|): float round-off (measured ≤ 2e-6)
 * through up to four layers, far below any real error (a wrong term moves values by O(1)).
 */
class BertModelSameDiffTest {
    private static final int B = TinyBert.BATCH;
    private static final int T = TinyBert.SEQ;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    /**
     * Four layers too: a backward's buffers are shared by layers i and i+2, so a gradient overwritten too early
     * shows up there. The first step runs twice so the second uses buffers the first filled.
     */
    @ParameterizedTest
    @CsvSource({"POST, 2", "PRE, 2", "POST, 4", "PRE, 4"})
    void forwardAndEveryGradientAgreeWithSameDiff(BertConfig.NormStyle style, int layers) {
        BertConfig config = TinyBert.config(style, layers);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertModel model = new BertModel(config, store, "bert.", true);
        randomize(store, 61);
        INDArray r1 = randn(62, B, T, config.hiddenSize).castTo(DataType.FLOAT);
        INDArray r2 = randn(63, B, config.hiddenSize).castTo(DataType.FLOAT);
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        model.backward(r2.sum(1).reshape(B, 1, 1).broadcast(B, T, config.hiddenSize).dup(), null);

        BertModel.Output out = model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        INDArray last = out.lastHiddenState().dup();
        INDArray pooled = out.poolerOutput().dup();
        store.zeroGrad();
        model.backward(r1, r2);

        SameDiffBert oracle = new SameDiffBert(config, store, TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK);
        oracle.sd.setLossVariables(oracle.last.mul(oracle.sd.constant(r1.reshape(B * T, config.hiddenSize))).sum()
                .add(oracle.pooled.mul(oracle.sd.constant(r2)).sum()));
        Map<String, INDArray> outputs = oracle.sd.output(Collections.emptyMap(), "last", "pooled");
        SameDiffBert.assertClose("lastHiddenState", last, outputs.get("last").reshape(B, T, config.hiddenSize));
        SameDiffBert.assertClose("poolerOutput", pooled, outputs.get("pooled"));

        Map<String, INDArray> grads = oracle.gradients();
        for (Parameter p : store) {
            INDArray reference = grads.get(p.name());
            if (reference == null) {
                // not on the loss's path in SameDiff: pre-norm registers the embeddings LayerNorm but skips it
                assertThat(style).isEqualTo(BertConfig.NormStyle.PRE);
                assertThat(p.name()).startsWith("bert.embeddings.LayerNorm");
                assertThat(p.grad().amaxNumber().doubleValue()).as(p.name()).isZero();
            } else {
                SameDiffBert.assertClose(p.name() + ".grad", p.grad(), reference);
            }
        }
    }
}
