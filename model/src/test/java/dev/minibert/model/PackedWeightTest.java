package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.ops.transforms.Transforms.abs;

import dev.minibert.model.train.AdamW;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A frozen store's products ({@link PackedWeight}): each row's bits independent of the row count, its place and
 * the thread split (what lets inference skip {@link BatchInvariance}'s padding), values within float rounding of a
 * product in double, and a frozen store refused by the optimizer. Where oneDNN has no such kernel
 * ({@link PackedWeight#available()} false: no AVX-512), a frozen {@link Linear} is held to its unfrozen bits instead.
 */
class PackedWeightTest {
    private static final int ROWS = 300;

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** out × in: the model's projections, a classifier's 1 and 2 labels, a depth past oneDNN's K blocks. */
    @ParameterizedTest
    @CsvSource({"384, 128", "128, 512", "2, 32", "1, 32", "100, 600"})
    void aRowsBitsDependOnNeitherTheRowCountNorItsPlaceNorTheThreads(int out, int in) {
        Linear frozen = linear(in, out, true);
        INDArray x = gaussian(ROWS, in, 1);
        Parallel.setThreads(1);
        float[] all = rows(frozen.forward(x, Nd4j.create(DataType.FLOAT, ROWS, out)));
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int m : new int[] {1, 2, 3, 7, 15, 16, 17, 33, 64, 100, 299}) {
                for (int from : new int[] {0, ROWS - m, (ROWS - m) / 2}) {
                    INDArray some = x.get(NDArrayIndex.interval(from, from + m), NDArrayIndex.all()).dup('c');
                    float[] got = rows(frozen.forward(some, Nd4j.create(DataType.FLOAT, m, out)));
                    float[] expected = Arrays.copyOfRange(all, from * out, (from + m) * out);
                    assertRowsAlike(got, expected, "%d rows from row %d, %d threads", m, from, threads);
                }
            }
        }
    }

    /**
     * A product of more rows than one primitive call takes runs in several calls ({@link PackedWeight#callRows}):
     * each row has the bits of that row multiplied alone, at the calls' edges too, at one and two threads.
     */
    @ParameterizedTest
    @CsvSource({"1061", "1190"})
    void aProductOfMoreRowsThanOneCallTakesHasEachRowsBitsOfTheRowAlone(int rows) {
        Linear frozen = linear(128, 384, true);
        INDArray x = gaussian(rows, 128, 11);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            float[] all = rows(frozen.forward(x, Nd4j.create(DataType.FLOAT, rows, 384)));
            for (int row = 0; row < rows; row++) {
                INDArray one = x.get(NDArrayIndex.interval(row, row + 1), NDArrayIndex.all()).dup('c');
                float[] alone = rows(frozen.forward(one, Nd4j.create(DataType.FLOAT, 1, 384)));
                float[] got = Arrays.copyOfRange(all, row * 384, (row + 1) * 384);
                assertRowsAlike(got, alone, "row %d of %d, %d threads", row, rows, threads);
            }
        }
    }

    /**
     * Products of ever new row counts (a server's batches) make at most {@link PackedWeight#ROW_COUNTS} primitives
     * per weight shape on a thread, and a thread's primitives are destroyed once the thread is gone.
     */
    @Test
    void aThreadMakesBoundedPrimitivesAndTheyGoWithIt() throws Exception {
        Linear frozen = linear(64, 48, true);
        INDArray x = gaussian(PackedWeight.CALL_ROWS + 100, 64, 12);
        INDArray y = Nd4j.create(DataType.FLOAT, x.rows(), 48);
        Parallel.setThreads(1); // every piece on the calling thread
        IntSupplier[] kept = new IntSupplier[1];
        Thread caller = new Thread(() -> {
            kept[0] = ThreadPrimitives.kept();
            for (int m = 1; m <= x.rows(); m++) {
                frozen.forward(x.get(NDArrayIndex.interval(0, m), NDArrayIndex.all()),
                        y.get(NDArrayIndex.interval(0, m), NDArrayIndex.all()));
            }
        });
        caller.start();
        caller.join();
        if (!PackedWeight.available()) {
            assertThat(kept[0].getAsInt()).isZero();
            return;
        }
        assertThat(kept[0].getAsInt()).as("primitives for every row count from 1 to %d", x.rows())
                .isEqualTo(PackedWeight.ROW_COUNTS);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (kept[0].getAsInt() > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(kept[0].getAsInt()).as("primitives left after their thread ended").isZero();
    }

    @ParameterizedTest
    @CsvSource({"384, 128", "128, 512", "2, 32"})
    void itComputesXTimesWTransposedPlusBias(int out, int in) {
        Linear frozen = linear(in, out, true);
        Linear trainable = linear(in, out, false);
        INDArray x = gaussian(40, in, 2);
        INDArray y = frozen.forward(x, Nd4j.create(DataType.FLOAT, 40, out));
        INDArray truth = x.castTo(DataType.DOUBLE).mmul(frozen.weight().value().castTo(DataType.DOUBLE).transpose())
                .addiRowVector(frozen.bias().value().castTo(DataType.DOUBLE));
        double[] expected = truth.data().asDouble();
        double[] bound = roundingBound(frozen, x);
        float[] got = rows(y);
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("element %d", i).isCloseTo(expected[i], within(bound[i]));
        }
        float[] unpacked = rows(trainable.forward(x, Nd4j.create(DataType.FLOAT, 40, out)));
        if (PackedWeight.available()) {
            for (int i = 0; i < got.length; i++) { // each within its bound of the truth, so of each other
                assertThat((double) got[i]).isCloseTo(unpacked[i], within(2 * bound[i]));
            }
        } else {
            assertThat(bits(got)).containsExactly(bits(unpacked)); // the same path
        }
    }

    /** The fused GELU against GELU's erf form in double ({@link Erf}, fdlibm's) of the product in double. */
    @ParameterizedTest
    @CsvSource({"512, 128", "64, 32"})
    void theFusedGeluIsGelusErfForm(int out, int in) {
        Linear frozen = linear(in, out, true);
        INDArray x = gaussian(40, in, 4);
        INDArray y = frozen.forwardWithGelu(x);
        INDArray product = x.castTo(DataType.DOUBLE).mmul(frozen.weight().value().castTo(DataType.DOUBLE).transpose())
                .addiRowVector(frozen.bias().value().castTo(DataType.DOUBLE));
        double[] z = product.data().asDouble();
        double[] bound = roundingBound(frozen, x);
        if (!PackedWeight.available()) {
            assertThat(y).isNull(); // the caller applies its own GELU
            return;
        }
        float[] got = rows(y);
        for (int i = 0; i < got.length; i++) {
            double gelu = 0.5 * z[i] * (1 + Erf.erf(z[i] / Math.sqrt(2)));
            // |GELU'| < 1.13 carries the product's error; then a few float ulps of the result for erf and rounding
            assertThat((double) got[i]).as("element %d (x·Wᵀ+b = %s)", i, z[i])
                    .isCloseTo(gelu, within(1.13 * bound[i] + 4 * Math.ulp((float) gelu)));
        }
    }

    /**
     * The residual added in the product's epilogue: each element the float sum of the frozen product's element and
     * the residual's (Java's float addition here), at one and two threads; where there is no packed weight, the
     * caller is told to add it itself and nothing is written.
     */
    @ParameterizedTest
    @CsvSource({"128, 128", "128, 512", "2, 32"})
    void theFusedResidualSumHasTheBitsOfTheProductPlusTheResidual(int out, int in) {
        Linear frozen = linear(in, out, true);
        INDArray x = gaussian(45, in, 5);
        INDArray r = gaussian(45, out, 6);
        float[] product = rows(frozen.forward(x, Nd4j.create(DataType.FLOAT, 45, out)));
        float[] residual = rows(r);
        float[] expected = new float[product.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = product[i] + residual[i];
        }
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 45, out);
            boolean fused = frozen.forwardAdding(x, r, y);
            assertThat(fused).isEqualTo(PackedWeight.available());
            if (fused) {
                assertThat(bits(rows(y))).as("%d threads", threads).containsExactly(bits(expected));
            } else {
                assertThat(rows(y)).containsOnly(0f);
            }
        }
        assertThat(rows(r)).containsExactly(residual); // read, not written
    }

    @Test
    void anInputWhoseRowsLieApartIsMultipliedToo() {
        Linear frozen = linear(64, 48, true);
        INDArray wide = gaussian(50, 100, 3);
        INDArray view = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(10, 74)); // rows 100 apart
        float[] fromView = rows(frozen.forward(view, Nd4j.create(DataType.FLOAT, 50, 48)));
        float[] fromCopy = rows(frozen.forward(view.dup('c'), Nd4j.create(DataType.FLOAT, 50, 48)));
        assertThat(fromView).containsExactly(fromCopy, within(1e-5f)); // Gemm's path for the view
    }

    /** Layers of one shape share their primitives, not their weights: each multiplies by its own. */
    @Test
    void twoWeightsOfOneShapeEachGiveTheirOwnProduct() {
        Linear first = linear(64, 48, true);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        Linear second = new Linear(store, "dense", 64, 48);
        Initializer.initialize(store, 0.05, 99);
        store.freeze();
        INDArray x = gaussian(20, 64, 5);
        for (Linear linear : new Linear[] {first, second, first}) {
            double[] truth = x.castTo(DataType.DOUBLE)
                    .mmul(linear.weight().value().castTo(DataType.DOUBLE).transpose())
                    .addiRowVector(linear.bias().value().castTo(DataType.DOUBLE)).data().asDouble();
            double[] bound = roundingBound(linear, x);
            float[] got = rows(linear.forward(x, Nd4j.create(DataType.FLOAT, 20, 48)));
            for (int i = 0; i < got.length; i++) {
                assertThat((double) got[i]).as("element %d", i).isCloseTo(truth[i], within(bound[i]));
            }
        }
    }

    @Test
    void theOptimizerRefusesAFrozenStore() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new Linear(store, "dense", 4, 3);
        store.freeze();
        assertThatThrownBy(() -> new AdamW(0.9, 0.999, 1e-8, 0.01).step(store, 1e-3))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("frozen");
    }

    /**
     * The same rows from two products: bit for bit on the packed weight (its rows are independent), within float
     * rounding on {@link Gemm}'s path where oneDNN has no such kernel.
     */
    private static void assertRowsAlike(float[] got, float[] expected, String description, Object... args) {
        if (PackedWeight.available()) {
            assertThat(bits(got)).as(description, args).containsExactly(bits(expected));
        } else {
            assertThat(got).as(description, args).containsExactly(expected, within(1e-5f));
        }
    }

    /**
     * The a-priori bound of a float dot product of length K plus a bias: (K + 1)·2⁻²⁴·(Σ|x||w| + |b|) per element.
     */
    private static double[] roundingBound(Linear linear, INDArray x) {
        INDArray abs = abs(x.castTo(DataType.DOUBLE))
                .mmul(abs(linear.weight().value().castTo(DataType.DOUBLE))
                        .transpose())
                .addiRowVector(abs(
                        linear.bias().value().castTo(DataType.DOUBLE)));
        return abs.muli((x.columns() + 1) * Math.pow(2, -24)).data().asDouble();
    }

    private static Linear linear(int in, int out, boolean frozen) {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        Linear linear = new Linear(store, "dense", in, out);
        Initializer.initialize(store, 0.05, 7);
        store.get("dense.bias").value().assign(gaussian(1, out, 8).reshape(out));
        if (frozen) {
            store.freeze();
        }
        return linear;
    }

    private static INDArray gaussian(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble(-1, 1) + random.nextDouble(-1, 1));
        }
        return Nd4j.create(values, new long[] {rows, cols}, DataType.FLOAT);
    }

    private static float[] rows(INDArray y) {
        return y.dup('c').data().asFloat();
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}
