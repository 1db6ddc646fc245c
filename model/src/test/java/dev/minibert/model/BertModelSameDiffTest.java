package dev.minibert.model;

import static dev.minibert.model.GradientCheck.randn;
import static dev.minibert.model.GradientCheck.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SameDiff autodiff of the same BERT graph, built independently from primitive ops, as the oracle for
 * our forward outputs and every parameter gradient in FLOAT. Lookups are one-hot × matrix (SameDiff's
 * gather backward is broken in M2.1); GELU is built from {@code sd.math.erf} because ND4J's gelu ops
 * are approximations.
 * Tolerance: per tensor, max |ours − SameDiff| ≤ 2e-5 · max(1, max |SameDiff|): float round-off (measured ≤ 2e-6)
 * through two layers, far below any real error (a wrong term moves values by O(1)).
 */
class BertModelSameDiffTest {
    private static final double TOLERANCE = 2e-5;
    private static final int B = TinyBert.BATCH;
    private static final int T = TinyBert.SEQ;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void forwardAndEveryGradientAgreeWithSameDiff(BertConfig.NormStyle style) {
        BertConfig config = TinyBert.config(style);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertModel model = new BertModel(config, store, "bert.", true);
        randomize(store, 61);
        INDArray r1 = randn(62, B, T, config.hiddenSize).castTo(DataType.FLOAT);
        INDArray r2 = randn(63, B, config.hiddenSize).castTo(DataType.FLOAT);

        BertModel.Output out = model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        INDArray last = out.lastHiddenState().dup();
        INDArray pooled = out.poolerOutput().dup();
        store.zeroGrad();
        model.backward(r1, r2);

        Oracle oracle = new Oracle(config, store, r1, r2);
        Map<String, INDArray> outputs = oracle.sd.output(Collections.emptyMap(), "last", "pooled");
        assertClose("lastHiddenState", last, outputs.get("last").reshape(B, T, config.hiddenSize));
        assertClose("poolerOutput", pooled, outputs.get("pooled"));

        List<String> names = new ArrayList<>();
        store.forEach(p -> names.add(Oracle.varName(p.name())));
        Map<String, INDArray> grads = oracle.sd.calculateGradients(Collections.emptyMap(), names);
        for (Parameter p : store) {
            INDArray reference = grads.get(Oracle.varName(p.name()));
            if (reference == null) {
                // not on the loss's path in SameDiff: pre-norm registers the embeddings LayerNorm but skips it
                assertThat(style).isEqualTo(BertConfig.NormStyle.PRE);
                assertThat(p.name()).startsWith("bert.embeddings.LayerNorm");
                assertThat(p.grad().amaxNumber().doubleValue()).as(p.name()).isZero();
            } else {
                assertClose(p.name() + ".grad", p.grad(), reference);
            }
        }
    }

    private static void assertClose(String what, INDArray ours, INDArray reference) {
        assertThat(ours.shape()).as(what).containsExactly(reference.shape());
        double scale = Math.max(1, reference.amaxNumber().doubleValue());
        double diff = ours.castTo(DataType.DOUBLE).sub(reference.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertThat(diff).as("%s: max |ours - SameDiff| (scale %.3g)", what, scale).isLessThanOrEqualTo(TOLERANCE * scale);
    }

    /** The BERT graph in SameDiff primitives, with the parameters' current values as variables. */
    private static final class Oracle {
        final SameDiff sd = SameDiff.create();
        private final BertConfig config;
        private final ParameterStore store;

        Oracle(BertConfig config, ParameterStore store, INDArray r1, INDArray r2) {
            this.config = config;
            this.store = store;
            store.forEach(p -> sd.var(varName(p.name()), p.value().dup()));
            int h = config.hiddenSize;
            int[] ids = flat(TinyBert.IDS);
            int[] types = flat(TinyBert.TYPES);
            int[] positions = new int[B * T];
            for (int n = 0; n < positions.length; n++) {
                positions[n] = n % T;
            }
            SDVariable x = oneHot(ids, config.vocabSize).mmul(w("bert.embeddings.word_embeddings.weight"))
                    .add(oneHot(positions, config.maxPositionEmbeddings).mmul(w("bert.embeddings.position_embeddings.weight")))
                    .add(oneHot(types, config.typeVocabSize).mmul(w("bert.embeddings.token_type_embeddings.weight")));
            boolean pre = config.normStyle == BertConfig.NormStyle.PRE;
            if (!pre) {
                x = layerNorm(x, "bert.embeddings.LayerNorm");
            }
            SDVariable bias = sd.constant(TinyBert.maskBias().castTo(DataType.FLOAT).reshape(B, 1, 1, T));
            for (int i = 0; i < config.numHiddenLayers; i++) {
                String p = "bert.encoder.layer." + i + ".";
                String ln1 = p + "attention.output.LayerNorm";
                String ln2 = p + "output.LayerNorm";
                if (pre) {
                    x = x.add(linear(attention(layerNorm(x, ln1), bias, p + "attention.self."), p + "attention.output.dense"));
                    x = x.add(ffn(layerNorm(x, ln2), p));
                } else {
                    x = layerNorm(x.add(linear(attention(x, bias, p + "attention.self."), p + "attention.output.dense")), ln1);
                    x = layerNorm(x.add(ffn(x, p)), ln2);
                }
            }
            if (pre) {
                x = layerNorm(x, "bert.final_layer_norm");
            }
            SDVariable last = sd.identity("last", x);
            double[][] select = new double[B][B * T];
            for (int b = 0; b < B; b++) {
                select[b][b * T] = 1;
            }
            SDVariable cls = sd.constant(Nd4j.createFromArray(select).castTo(DataType.FLOAT)).mmul(last);
            SDVariable pooled = sd.math.tanh("pooled", linear(cls, "bert.pooler.dense"));
            SDVariable loss = last.mul(sd.constant(r1.reshape(B * T, h))).sum()
                    .add(pooled.mul(sd.constant(r2)).sum());
            sd.setLossVariables(loss);
        }

        static String varName(String parameter) {
            return parameter.replace('.', '_');
        }

        private SDVariable w(String name) {
            return sd.getVariable(varName(name));
        }

        private SDVariable linear(SDVariable x, String name) {
            return sd.mmul(x, w(name + ".weight"), false, true, false).add(w(name + ".bias"));
        }

        private SDVariable layerNorm(SDVariable x, String name) {
            SDVariable centered = x.sub(x.mean(true, 1));
            SDVariable variance = centered.mul(centered).mean(true, 1);
            return centered.div(sd.math.sqrt(variance.add(config.layerNormEps)))
                    .mul(w(name + ".weight")).add(w(name + ".bias"));
        }

        private SDVariable ffn(SDVariable x, String p) {
            SDVariable u = linear(x, p + "intermediate.dense");
            SDVariable gelu = u.mul(0.5).mul(sd.math.erf(u.div(Math.sqrt(2))).add(1));
            return linear(gelu, p + "output.dense");
        }

        private SDVariable attention(SDVariable x, SDVariable maskBias, String p) {
            int heads = config.numAttentionHeads;
            int d = config.headSize();
            SDVariable q = heads(linear(x, p + "query"));
            SDVariable k = heads(linear(x, p + "key"));
            SDVariable v = heads(linear(x, p + "value"));
            SDVariable scores = sd.mmul(q, k, false, true, false).mul(1 / Math.sqrt(d)).add(maskBias);
            SDVariable probs = sd.nn.softmax(scores, 3);
            return sd.mmul(probs, v).permute(0, 2, 1, 3).reshape(B * T, config.hiddenSize);
        }

        private SDVariable heads(SDVariable y) {
            return y.reshape(B, T, config.numAttentionHeads, config.headSize()).permute(0, 2, 1, 3);
        }

        private SDVariable oneHot(int[] ids, int depth) {
            double[][] m = new double[ids.length][depth];
            for (int i = 0; i < ids.length; i++) {
                m[i][ids[i]] = 1;
            }
            return sd.constant(Nd4j.createFromArray(m).castTo(store.dataType()));
        }

        private static int[] flat(int[][] rows) {
            return java.util.Arrays.stream(rows).flatMapToInt(java.util.Arrays::stream).toArray();
        }
    }
}
