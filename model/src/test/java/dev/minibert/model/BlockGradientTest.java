package dev.minibert.model;

import static dev.minibert.model.GradientCheck.checkModule;
import static dev.minibert.model.GradientCheck.dot;
import static dev.minibert.model.GradientCheck.randn;
import static dev.minibert.model.GradientCheck.randomize;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finite differences (double) for every composite BERT module, with padding in the batch. BertEncoder is
 * checked as part of the whole model in {@link BertModelGradientTest}.
 */
class BlockGradientTest {
    private static final int N = TinyBert.BATCH * TinyBert.SEQ;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @Test
    void selfAttentionWithPaddedKeys() {
        BertConfig config = TinyBert.config(BertConfig.NormStyle.POST);
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertSelfAttention attention = new BertSelfAttention(store, "attention.self.", config);
        randomize(store, 21);
        INDArray mask = TinyBert.maskBias();
        checkModule(store, randn(22, N, 8), x -> attention.forward(x, mask, false), attention::backward, 23);
    }

    @Test
    void selfAttentionWithAttentionDropout() {
        BertConfig config = TinyBert.config(BertConfig.NormStyle.POST).toBuilder().attentionProbsDropoutProb(0.4).build();
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertSelfAttention attention = new BertSelfAttention(store, "attention.self.", config);
        randomize(store, 24);
        INDArray mask = TinyBert.maskBias();
        checkModule(store, randn(25, N, 8), x -> {
            attention.reseedDropout(new java.util.SplittableRandom(5));
            return attention.forward(x, mask, true);
        }, attention::backward, 26);
    }

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void selfOutputAndOutputWithBothInputs(BertConfig.NormStyle style) {
        BertConfig config = TinyBert.config(style);
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        ResidualOutput selfOutput = new BertSelfOutput(store, "attention.output.", config);
        randomize(store, 27);
        checkResidualOutput(store, selfOutput, 8, 28);

        ParameterStore store2 = new ParameterStore(DataType.DOUBLE);
        ResidualOutput output = new BertOutput(store2, "output.", config);
        randomize(store2, 29);
        checkResidualOutput(store2, output, 12, 30);
    }

    private static void checkResidualOutput(ParameterStore store, ResidualOutput module, int in, long seed) {
        INDArray hidden = randn(seed + 100, N, in);
        INDArray residual = randn(seed + 200, N, 8);
        INDArray r = randn(seed, N, 8);
        module.forward(hidden, residual, false);
        store.zeroGrad();
        ResidualOutput.Grads g = module.backward(r);
        List<GradientCheck.Probe> probes = GradientCheck.parameters(store);
        probes.add(new GradientCheck.Probe("hidden", hidden, g.hidden().dup()));
        probes.add(new GradientCheck.Probe("residual", residual, g.residual().dup()));
        GradientCheck.assertMatches(() -> dot(module.forward(hidden, residual, false), r), probes, seed);
    }

    @Test
    void intermediate() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertIntermediate intermediate = new BertIntermediate(store, "intermediate.", TinyBert.config(BertConfig.NormStyle.POST));
        randomize(store, 31);
        checkModule(store, randn(32, N, 8), intermediate::forward, intermediate::backward, 33);
    }

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void layer(BertConfig.NormStyle style) {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertLayer layer = new BertLayer(store, "bert.encoder.layer.0.", TinyBert.config(style));
        randomize(store, 34);
        INDArray mask = TinyBert.maskBias();
        checkModule(store, randn(35, N, 8), x -> layer.forward(x, mask, false), layer::backward, 36);
    }

    @Test
    void pooler() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertPooler pooler = new BertPooler(store, "bert.pooler.", TinyBert.config(BertConfig.NormStyle.POST));
        randomize(store, 40);
        checkModule(store, randn(41, N, 8), h -> pooler.forward(h, TinyBert.BATCH, TinyBert.SEQ), pooler::backward, 42);
    }

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void embeddings(BertConfig.NormStyle style) {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertEmbeddings embeddings = new BertEmbeddings(store, "bert.", TinyBert.config(style));
        randomize(store, 43);
        int[] ids = {2, 7, 4, 7, 3, 2, 5, 3, 0, 0};
        int[] types = {0, 0, 1, 1, 1, 0, 1, 1, 0, 0};
        int[] positions = {0, 1, 2, 3, 4, 0, 1, 2, 3, 4};
        INDArray r = randn(44, N, 8);
        embeddings.forward(ids, types, positions, false);
        embeddings.backward(r);
        GradientCheck.assertMatches(() -> dot(embeddings.forward(ids, types, positions, false), r),
                GradientCheck.parameters(store), 45);
    }
}
