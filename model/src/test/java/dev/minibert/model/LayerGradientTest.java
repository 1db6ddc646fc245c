package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import static dev.minibert.model.GradientCheck.checkModule;
import static dev.minibert.model.GradientCheck.randn;
import static dev.minibert.model.GradientCheck.randomize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The elementary layers: finite differences plus values known independently of ND4J. */
class LayerGradientTest {
    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @Test
    void linearMatchesFiniteDifferencesAndAccumulates() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        Linear linear = new Linear(store, "dense", 5, 3);
        randomize(store, 1);
        INDArray x = randn(2, 4, 5);
        checkModule(store, x, linear::forward, linear::backward, 3);

        // a second backward adds the same gradient again (micro-batch accumulation)
        INDArray r = randn(4, 4, 3);
        store.zeroGrad();
        linear.forward(x);
        linear.backward(r);
        INDArray once = linear.weight().grad().dup();
        linear.backward(r);
        assertThat(linear.weight().grad().equalsWithEps(once.mul(2), 1e-12)).isTrue();
        assertThat(store.get("dense.weight").shape()).containsExactly(3, 5);
    }

    @Test
    void linearComputesXWTransposedPlusBias() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        Linear linear = new Linear(store, "l", 2, 2);
        linear.weight().value().assign(Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}}));
        linear.bias().value().assign(Nd4j.createFromArray(0.5, -1.0));
        INDArray y = linear.forward(Nd4j.createFromArray(new double[][] {{1, 1}, {2, -1}}));
        // row 0: [1+2+0.5, 3+4-1]; row 1: [2-2+0.5, 6-4-1]
        assertThat(y.toDoubleMatrix()).isEqualTo(new double[][] {{3.5, 6}, {0.5, 1}});
    }

    @Test
    void layerNormNormalizesRowsAndMatchesFiniteDifferences() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        LayerNorm ln = new LayerNorm(store, "ln", 6, 1e-12);
        store.get("ln.weight").value().assign(1);
        INDArray x = randn(5, 4, 6).muli(3).addi(2);
        INDArray y = ln.forward(x);
        for (int i = 0; i < 4; i++) {
            double[] row = y.getRow(i).toDoubleVector();
            double mean = java.util.Arrays.stream(row).average().orElseThrow();
            double var = java.util.Arrays.stream(row).map(v -> (v - mean) * (v - mean)).sum() / row.length;
            assertThat(mean).isCloseTo(0, within(1e-12));
            assertThat(var).isCloseTo(1, within(1e-10));
        }
        randomize(store, 6);
        checkModule(store, x, ln::forward, ln::backward, 7);
    }

    @Test
    void geluIsTheExactErfFormAndMatchesFiniteDifferences() {
        Gelu gelu = new Gelu(Kernels.reference());
        INDArray y = gelu.forward(Nd4j.createFromArray(1.0, -1.0, 2.0, 0.5, 0.0));
        // x·Φ(x) with tabulated Φ(1), Φ(-1), Φ(2), Φ(0.5); the tanh approximation is off by ~1e-4 at x = 1
        double[] expected = {0.8413447460685429, -0.15865525393145707, 1.9544997361036416, 0.34573123063700656, 0};
        assertThat(y.toDoubleVector()).containsExactly(expected, within(1e-12));
        checkModule(new ParameterStore(DataType.DOUBLE), randn(8, 3, 7).muli(2), gelu::forward, gelu::backward, 9);
    }

    @Test
    void dropoutInTrainingMatchesFiniteDifferencesWithAFixedMask() {
        Dropout dropout = new Dropout(0.3, Kernels.reference());
        INDArray x = randn(10, 6, 5);
        checkModule(new ParameterStore(DataType.DOUBLE), x, in -> {
            dropout.reseed(42); // the same mask at every evaluation
            return dropout.forward(in, true);
        }, dropout::backward, 11);
    }

    @Test
    void embeddingMatchesFiniteDifferencesWithRepeatedIds() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        Embedding emb = new Embedding(store, "emb", 4, 3);
        randomize(store, 12);
        int[] ids = {2, 0, 2, 3, 2};
        INDArray r = randn(13, 5, 3);
        emb.forward(ids);
        emb.backward(r);
        GradientCheck.assertMatches(() -> GradientCheck.dot(emb.forward(ids), r), GradientCheck.parameters(store), 14);
    }

    @Test
    void embeddingBackwardScatterAddsEveryRepeatedRow() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        int num = 5, dim = 64, n = 4000;
        Embedding emb = new Embedding(store, "emb", num, dim);
        java.util.Random random = new java.util.Random(15);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(num);
        }
        INDArray dy = randn(16, n, dim).castTo(DataType.FLOAT);
        emb.forward(ids);
        emb.backward(dy);
        double[][] expected = new double[num][dim];
        float[] d = dy.data().asFloat();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                expected[ids[i]][j] += d[i * dim + j];
            }
        }
        INDArray grad = emb.weight().grad();
        for (int k = 0; k < num; k++) {
            for (int j = 0; j < dim; j++) {
                assertThat(grad.getDouble(k, j)).isCloseTo(expected[k][j], within(1e-3));
            }
        }
    }

    @Test
    void embeddingRejectsOutOfRangeIdsNamingIdAndTable() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        Embedding emb = new Embedding(store, "bert.embeddings.word_embeddings", 10, 3);
        assertThatThrownBy(() -> emb.forward(new int[] {1, 10}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id 10").hasMessageContaining("bert.embeddings.word_embeddings");
        assertThatThrownBy(() -> emb.forward(new int[] {-1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id -1");
    }

    /**
     * Stacked projections are the separate ones side by side: each name is its own parameter in the store, in the
     * order separate layers would register, and the finite differences reach every element through those views.
     */
    @Test
    void stackedLinearIsItsProjectionsSideBySideUnderTheirOwnNames() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        Linear stacked = Linear.stacked(store, 5, 3, "q", "k", "v");
        assertThat(store.all().stream().map(Parameter::name).toList())
                .isEqualTo(List.of("q.weight", "q.bias", "k.weight", "k.bias", "v.weight", "v.bias"));
        assertThat(store.get("k.weight").shape()).containsExactly(3, 5);
        assertThat(store.get("v.bias").shape()).containsExactly(3);
        randomize(store, 6);
        INDArray x = randn(7, 4, 5);
        INDArray y = stacked.forward(x).dup();
        assertThat(y.shape()).containsExactly(4, 9);
        for (int i = 0; i < 3; i++) {
            String name = List.of("q", "k", "v").get(i);
            INDArray separate = x.mmul(store.get(name + ".weight").value().transpose())
                    .addiRowVector(store.get(name + ".bias").value());
            assertThat(y.get(NDArrayIndex.all(), NDArrayIndex.interval(3 * i, 3 * i + 3)).equalsWithEps(separate, 1e-12))
                    .as(name).isTrue();
        }
        checkModule(store, x, stacked::forward, stacked::backward, 8);
    }

    @Test
    void registersHuggingFaceNamesInOrder() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new Linear(store, "a", 2, 3);
        new LayerNorm(store, "b.LayerNorm", 3, 1e-12);
        assertThat(store.all().stream().map(Parameter::name).toList())
                .isEqualTo(List.of("a.weight", "a.bias", "b.LayerNorm.weight", "b.LayerNorm.bias"));
    }
}
