package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The BERT encoder (and pooler) in SameDiff primitives, with a store's current values as variables: the
 * autodiff oracle for our hand-written backward passes, shared by the encoder and task-head tests.
 * Lookups are one-hot × matrix (SameDiff's gather backward is broken in M2.1).
 */
public final class SameDiffBert {
    public static final double TOLERANCE = 2e-5;
    public final SameDiff sd = SameDiff.create();
    /** [N,H] last hidden state; pooled [B,H] when the store has a pooler. */
    public final SDVariable last;
    public final SDVariable pooled;
    private final int batch;
    private final int seq;
    private final BertConfig config;
    private final ParameterStore store;

    public SameDiffBert(BertConfig config, ParameterStore store, int[][] inputIds, int[][] tokenTypes, int[][] mask) {
        this.config = config;
        this.store = store;
        store.forEach(p -> sd.var(varName(p.name()), p.value().dup()));
        this.batch = inputIds.length;
        this.seq = inputIds[0].length;
        int B = batch;
        int T = seq;
        int[] ids = flat(inputIds);
        int[] types = flat(tokenTypes);
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
        double[][] maskBias = new double[B][T];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                maskBias[b][t] = mask[b][t] == 1 ? 0 : -10000;
            }
        }
        SDVariable bias = sd.constant(Nd4j.createFromArray(maskBias).castTo(store.dataType()).reshape(B, 1, 1, T));
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
        last = sd.identity("last", x);
        int[] clsRows = new int[B];
        for (int b = 0; b < B; b++) {
            clsRows[b] = b * T;
        }
        pooled = store.contains("bert.pooler.dense.weight")
                ? sd.math.tanh("pooled", linear(rows(last, clsRows), "bert.pooler.dense")) : null;
    }

    /** Rows of x [N,H] picked by a constant selection matrix (SameDiff's gather backward is broken in M2.1). */
    public SDVariable rows(SDVariable x, int[] rows) {
        double[][] select = new double[rows.length][batch * seq];
        for (int i = 0; i < rows.length; i++) {
            select[i][rows[i]] = 1;
        }
        return sd.constant(Nd4j.createFromArray(select).castTo(store.dataType())).mmul(x);
    }

    /** Mean softmax cross-entropy of logits [M,C] against labels, optionally class-weighted like torch. */
    public SDVariable crossEntropy(SDVariable logits, int[] labels, int classes, double[] classWeights) {
        double[][] target = new double[labels.length][classes];
        double weightSum = 0;
        for (int i = 0; i < labels.length; i++) {
            double w = classWeights == null ? 1 : classWeights[labels[i]];
            target[i][labels[i]] = w;
            weightSum += w;
        }
        SDVariable logZ = sd.math.log(sd.math.exp(logits).sum(true, 1));
        SDVariable logProbs = logits.sub(logZ);
        return logProbs.mul(sd.constant(Nd4j.createFromArray(target).castTo(store.dataType()))).sum().mul(-1 / weightSum);
    }

    /** Gradient of the loss set on {@link #sd} for every parameter (null where a parameter is off the loss path). */
    public java.util.Map<String, INDArray> gradients() {
        java.util.List<String> names = new java.util.ArrayList<>();
        store.forEach(p -> names.add(varName(p.name())));
        java.util.Map<String, INDArray> byVar = sd.calculateGradients(java.util.Collections.emptyMap(), names);
        java.util.Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        store.forEach(p -> out.put(p.name(), byVar.get(varName(p.name()))));
        return out;
    }

    public static String varName(String parameter) {
        return parameter.replace('.', '_');
    }

    public SDVariable w(String name) {
        return sd.getVariable(varName(name));
    }

    public SDVariable linear(SDVariable x, String name) {
        return sd.mmul(x, w(name + ".weight"), false, true, false).add(w(name + ".bias"));
    }

    public SDVariable layerNorm(SDVariable x, String name) {
        SDVariable centered = x.sub(x.mean(true, 1));
        SDVariable variance = centered.mul(centered).mean(true, 1);
        return centered.div(sd.math.sqrt(variance.add(config.layerNormEps)))
                .mul(w(name + ".weight")).add(w(name + ".bias"));
    }

    private SDVariable ffn(SDVariable x, String p) {
        return linear(gelu(linear(x, p + "intermediate.dense")), p + "output.dense");
    }

    /** Exact erf GELU (ND4J's gelu ops are approximations). */
    public SDVariable gelu(SDVariable u) {
        return u.mul(0.5).mul(sd.math.erf(u.div(Math.sqrt(2))).add(1));
    }

    private SDVariable attention(SDVariable x, SDVariable maskBias, String p) {
        int heads = config.numAttentionHeads;
        int d = config.headSize();
        SDVariable q = heads(linear(x, p + "query"));
        SDVariable k = heads(linear(x, p + "key"));
        SDVariable v = heads(linear(x, p + "value"));
        SDVariable scores = sd.mmul(q, k, false, true, false).mul(1 / Math.sqrt(d)).add(maskBias);
        SDVariable probs = sd.nn.softmax(scores, 3);
        return sd.mmul(probs, v).permute(0, 2, 1, 3).reshape(batch * seq, config.hiddenSize);
    }

    private SDVariable heads(SDVariable y) {
        return y.reshape(batch, seq, config.numAttentionHeads, config.headSize()).permute(0, 2, 1, 3);
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

    /**
     * Per tensor, max |ours − SameDiff| ≤ 2e-5 · max(1, max |SameDiff|): float round-off through a couple of layers
     * (measured ≤ 2e-6), far below any real error.
     */
    public static void assertClose(String what, INDArray ours, INDArray reference) {
        assertThat(ours.shape()).as(what).containsExactly(reference.shape());
        double scale = Math.max(1, reference.amaxNumber().doubleValue());
        double diff = ours.castTo(DataType.DOUBLE).sub(reference.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertThat(diff).as("%s: max |ours - SameDiff| (scale %.3g)", what, scale).isLessThanOrEqualTo(TOLERANCE * scale);
    }
}
