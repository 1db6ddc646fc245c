package dev.minibert.model;

import static dev.minibert.model.GradientCheck.dot;
import static dev.minibert.model.GradientCheck.randn;
import static dev.minibert.model.GradientCheck.randomize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** BertModel's contract: padding, dropout seeding, gradient norms, accumulation, input validation. */
class BertModelTest {
    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    private static BertModel model(BertConfig.NormStyle style, long seed) {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertModel model = new BertModel(TinyBert.config(style), store, "bert.", true);
        randomize(store, seed);
        return model;
    }

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void aSequenceIsUnchangedByExtraPadding(BertConfig.NormStyle style) {
        BertModel model = model(style, 71);
        int[][] alone = {{2, 7, 4, 9}};
        BertModel.Output a = model.forward(alone, new int[][] {{0, 0, 1, 1}}, null, false);
        INDArray hidden = a.lastHiddenState().dup();
        INDArray pooled = a.poolerOutput().dup();

        int[][] padded = {{5, 6, 1, 1, 3, 8, 2}, {2, 7, 4, 9, 0, 0, 0}};
        int[][] types = {{0, 0, 0, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 0, 1}};
        int[][] mask = {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}};
        BertModel.Output b = model.forward(padded, types, mask, false);
        INDArray row = b.lastHiddenState().get(NDArrayIndex.point(1), NDArrayIndex.interval(0, 4), NDArrayIndex.all());
        assertThat(maxDiff(row, hidden.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all()))).isLessThan(1e-10);
        assertThat(maxDiff(b.poolerOutput().getRow(1), pooled.getRow(0))).isLessThan(1e-10);
        // without the mask the padding would leak in
        BertModel.Output c = model.forward(padded, types, null, false);
        assertThat(maxDiff(c.poolerOutput().getRow(1), pooled.getRow(0))).isGreaterThan(1e-3);
    }

    @Test
    void dropoutIsOffInEvaluationAndAFunctionOfTheSeedInTraining() {
        BertModel model = model(BertConfig.NormStyle.POST, 72);
        INDArray eval1 = forward(model, false);
        model.reseedDropout(99);
        INDArray eval2 = forward(model, false);
        assertThat(eval2).isEqualTo(eval1);

        model.reseedDropout(1);
        INDArray train1 = forward(model, true);
        model.reseedDropout(1);
        INDArray train1Again = forward(model, true);
        model.reseedDropout(2);
        INDArray train2 = forward(model, true);
        assertThat(train1Again).isEqualTo(train1);
        assertThat(maxDiff(train2, train1)).isGreaterThan(1e-3);
        assertThat(maxDiff(train1, eval1)).isGreaterThan(1e-3);

        // without any reseed a fresh model is still deterministic
        BertModel fresh1 = model(BertConfig.NormStyle.POST, 72);
        BertModel fresh2 = model(BertConfig.NormStyle.POST, 72);
        assertThat(forward(fresh2, true)).isEqualTo(forward(fresh1, true));
    }

    /** Σ grad·V against the central difference of the loss along a random direction V over all parameters. */
    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void trainingGradientWithDropoutMatchesADirectionalDerivative(BertConfig.NormStyle style) {
        // four layers: layers 0 and 2 share the buffers that the memory plan passes on within a forward
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertModel model = new BertModel(TinyBert.config(style, 4), store, "bert.", true);
        randomize(store, 73);
        INDArray r1 = randn(74, TinyBert.BATCH, TinyBert.SEQ, 8);
        INDArray r2 = randn(75, TinyBert.BATCH, 8);
        List<INDArray> directions = new ArrayList<>();
        double analytic = 0;
        model.reseedDropout(5);
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, true);
        model.backward(r1, r2);
        int k = 0;
        for (Parameter p : model.store()) {
            INDArray v = randn(1000 + k++, p.shape());
            directions.add(v);
            analytic += dot(p.grad(), v);
        }
        double eps = 1e-6;
        double[] losses = new double[2];
        for (int side = 0; side < 2; side++) {
            double sign = side == 0 ? 1 : -1;
            step(model, directions, sign * eps);
            model.reseedDropout(5);
            BertModel.Output out = model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, true);
            losses[side] = dot(out.lastHiddenState(), r1) + dot(out.poolerOutput(), r2);
            step(model, directions, -sign * eps);
        }
        double numeric = (losses[0] - losses[1]) / (2 * eps);
        assertThat(Math.abs(numeric - analytic) / Math.abs(analytic)).isLessThan(1e-6);
    }

    private static void step(BertModel model, List<INDArray> directions, double eps) {
        int k = 0;
        for (Parameter p : model.store()) {
            p.value().addi(directions.get(k++).mul(eps));
        }
    }

    /** Four layers, so the inference forward's two alternating buffer sets are each reused. */
    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void noGradGivesTheSameOutputsAndLeavesLaterGradientsIntact(BertConfig.NormStyle style) {
        BertConfig config = BertConfig.builder()
                .vocabSize(11).hiddenSize(8).numHiddenLayers(4).numAttentionHeads(2).intermediateSize(12)
                .maxPositionEmbeddings(8).typeVocabSize(2).normStyle(style).build();
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertModel model = new BertModel(config, store, "bert.", true);
        randomize(store, 83);
        INDArray r1 = randn(84, TinyBert.BATCH, TinyBert.SEQ, 8);
        INDArray r2 = randn(85, TinyBert.BATCH, 8);
        BertModel.Output kept = model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        INDArray hidden = kept.lastHiddenState().dup();
        INDArray pooled = kept.poolerOutput().dup();
        model.backward(r1, r2);
        List<INDArray> grads = new ArrayList<>();
        store.forEach(p -> grads.add(p.grad().dup()));

        store.zeroGrad();
        try (BertModel.NoGrad noGrad = model.noGrad()) {
            model.forward(new int[][] {{2, 3, 4}}, null, null, false); // another shape first: buffers reallocate
            BertModel.Output shared = model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
            assertThat(shared.lastHiddenState()).isEqualTo(hidden);
            assertThat(shared.poolerOutput()).isEqualTo(pooled);
            assertThatThrownBy(() -> model.backward(r1, r2)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("noGrad");
        }
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        model.backward(r1, r2);
        int k = 0;
        for (Parameter p : store) {
            assertThat(p.grad()).as(p.name()).isEqualTo(grads.get(k++));
        }
    }

    /** #24: inference allocates no gradient; a backward allocates them, the stacked QKV's blocks included. */
    @Test
    void gradientsAreAllocatedOnlyWhenFirstAskedFor() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertModel model = new BertModel(TinyBert.config(BertConfig.NormStyle.POST, 2), store, "bert.", true);
        randomize(store, 91);
        try (BertModel.NoGrad noGrad = model.noGrad()) {
            model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        }
        store.forEach(p -> assertThat(p.hasGrad()).as(p.name()).isFalse());
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        model.backward(randn(92, TinyBert.BATCH, TinyBert.SEQ, 8), null);
        Parameter query = store.get("bert.encoder.layer.0.attention.self.query.weight");
        Parameter value = store.get("bert.encoder.layer.0.attention.self.value.weight");
        assertThat(query.grad().sumNumber().doubleValue()).isNotZero();
        assertThat(value.grad().sumNumber().doubleValue()).isNotZero();
    }

    @Test
    void backwardAccumulatesUntilZeroGrad() {
        BertModel model = model(BertConfig.NormStyle.POST, 76);
        INDArray r1 = randn(77, TinyBert.BATCH, TinyBert.SEQ, 8);
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        model.backward(r1, null);
        List<INDArray> once = new ArrayList<>();
        model.store().forEach(p -> once.add(p.grad().dup()));
        model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);
        model.backward(r1, null);
        int k = 0;
        for (Parameter p : model.store()) {
            assertThat(maxDiff(p.grad(), once.get(k++).mul(2))).as(p.name()).isLessThan(1e-12);
        }
        model.store().zeroGrad();
        assertThat(model.store().get("bert.pooler.dense.weight").grad().amaxNumber().doubleValue()).isZero();
    }

    @Test
    void layerInputGradNormsAreTheGradientsAtEachLayerInput() {
        // pre-norm, no dropout, every (word id) unique: word_embeddings' gradient rows are exactly ∂L/∂x_0
        BertModel model = model(BertConfig.NormStyle.PRE, 78);
        int[][] ids = {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}};
        INDArray r1 = randn(79, TinyBert.BATCH, TinyBert.SEQ, 8);
        model.forward(ids, null, null, false);
        model.store().zeroGrad();
        model.backward(r1, null);
        double[] norms = model.layerInputGradNorms();
        assertThat(norms).hasSize(3);
        double wordGradNorm = model.store().get("bert.embeddings.word_embeddings.weight").grad().norm2Number().doubleValue();
        assertThat(norms[0]).isCloseTo(wordGradNorm, within(1e-12 * wordGradNorm));

        // post-norm without pooler loss: the encoder output gradient is dLastHidden itself
        BertModel post = model(BertConfig.NormStyle.POST, 80);
        post.forward(ids, null, null, false);
        post.backward(r1, null);
        assertThat(post.layerInputGradNorms()[2]).isCloseTo(r1.norm2Number().doubleValue(), within(1e-12));
        assertThat(post.layerInputGradNorms()[0]).isPositive();
    }

    @Test
    void nullTypesAndMaskMeanZerosAndOnes() {
        BertModel model = model(BertConfig.NormStyle.POST, 81);
        INDArray implicit = model.forward(TinyBert.IDS, null, null, false).lastHiddenState().dup();
        INDArray explicit = model.forward(TinyBert.IDS, new int[2][5], new int[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}}, false)
                .lastHiddenState();
        assertThat(explicit).isEqualTo(implicit);
    }

    @Test
    void rejectsMalformedInputWithClearMessages() {
        BertModel model = model(BertConfig.NormStyle.POST, 82);
        assertThatThrownBy(() -> model.forward(new int[][] {{1, 2, 3}, {1, 2}}, null, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inputIds").hasMessageContaining("row 1");
        assertThatThrownBy(() -> model.forward(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8, 9}}, null, null, false))
                .hasMessageContaining("max_position_embeddings 8").hasMessageContaining("9");
        assertThatThrownBy(() -> model.forward(new int[][] {{1, 11}}, null, null, false))
                .hasMessageContaining("id 11").hasMessageContaining("bert.embeddings.word_embeddings");
        assertThatThrownBy(() -> model.forward(new int[][] {{1, 2}}, new int[][] {{0, 2}}, null, false))
                .hasMessageContaining("id 2").hasMessageContaining("token_type_embeddings");
        assertThatThrownBy(() -> model.forward(new int[][] {{1, 2}}, new int[][] {{0, 0, 0}}, null, false))
                .hasMessageContaining("tokenTypeIds is 1x3");
        assertThatThrownBy(() -> model.forward(new int[][] {{1, 2}}, null, new int[][] {{1, 2}}, false))
                .hasMessageContaining("attentionMask[0][1] is 2");
        assertThatThrownBy(() -> model.forward(new int[0][], null, null, false)).hasMessageContaining("inputIds is empty");
        model.forward(new int[][] {{1, 2}}, null, null, false);
        assertThatThrownBy(() -> model.backward(randn(1, 1, 3, 8), null)).hasMessageContaining("dLastHidden has shape [1, 3, 8]");
        assertThatThrownBy(() -> model.backward(null, null)).hasMessageContaining("dLastHidden or dPooled");

        int[][] ids = {{1, 2, 3}, {1, 2, 3}};
        assertThatThrownBy(() -> model.forwardRows(ids, null, null, new int[] {0, 6}, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rows[1] = 6 is outside the batch's 6 token rows (2 x 3)");
        assertThatThrownBy(() -> model.forwardRows(ids, null, null, new int[] {-1}, false))
                .hasMessageContaining("rows[0] = -1");
        assertThatThrownBy(() -> model.forwardRows(ids, null, null, new int[] {4, 2}, false))
                .hasMessageContaining("rows must ascend: rows[1] = 2 after 4");
        assertThatThrownBy(() -> model.forwardRows(ids, null, null, new int[] {2, 2}, false))
                .hasMessageContaining("rows must ascend");
        assertThatThrownBy(() -> model.forwardRows(ids, null, null, new int[0], false))
                .hasMessageContaining("no rows selected");
        model.forwardRows(ids, null, null, new int[] {1, 4, 5}, false);
        assertThatThrownBy(() -> model.backward(randn(1, 2, 3, 8), null))
                .hasMessageContaining("dLastHidden has shape [2, 3, 8], expected [3, 8]");
        assertThatThrownBy(() -> model.backward(randn(1, 3, 8), randn(2, 2, 8)))
                .hasMessageContaining("dPooled given after forwardRows");
    }

    private static INDArray forward(BertModel model, boolean training) {
        BertModel.Output out = model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, training);
        return out.lastHiddenState().dup();
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }
}
