package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The split float products against products summed in double here: every transpose combination, alpha and beta,
 * operands that are row and column ranges of larger arrays (their buffers start past element 0, their rows lie
 * further apart than their width), split over 1 and 3 threads;
 * the batched form matrix by matrix, also on the attention's strided head views. Float tolerance: K roundings of
 * the largest term, as any sgemm.
 */
class GemmTest {
    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    @ParameterizedTest
    @CsvSource({"false,false,1", "false,true,3", "true,false,3", "true,true,1", "false,true,1", "true,false,1"})
    void matchesTheProductInDouble(boolean transA, boolean transB, int threads) {
        Parallel.setThreads(threads);
        assertIsTheProductInDouble(transA, transB, 300, 37, 53);
    }

    /** Batch-invariant products pad pieces under 16 rows or of one column in scratch: every case still computes C. */
    @ParameterizedTest
    @CsvSource({"false,false,1", "false,true,2", "true,false,2", "true,true,1"})
    void batchInvariantProductsMatchTheProductInDouble(boolean transA, boolean transB, int threads) {
        Parallel.setThreads(threads);
        try (Gemm.Invariant ignored = Gemm.batchInvariant()) {
            for (int[] mnk : new int[][] {{1, 37, 53}, {5, 1, 53}, {15, 2, 300}, {40, 1, 9}, {300, 37, 53}}) {
                assertIsTheProductInDouble(transA, transB, mnk[0], mnk[1], mnk[2]);
            }
        }
    }

    /**
     * Batch-invariant, a row of C gets the same bits in a product of any number of rows (1 to 300, which oneDNN
     * would compute in three regimes on AVX-512, and on AVX2 with the last rows of its 6-row blocks and of its
     * M-sized row blocks past 72 apart), wherever it sits, at 1 thread or 2 (rows split in whole 16-row blocks).
     */
    @ParameterizedTest
    @CsvSource({"false,37", "true,37", "true,1", "false,1"})
    void batchInvariantRowsDoNotDependOnTheProductTheyArePartOf(boolean transB, int n) {
        int k = 300;
        int total = 320;
        INDArray a = floats(6, total, k);
        INDArray b = floats(7, transB ? n : k, transB ? k : n);
        INDArray alone = Nd4j.create(DataType.FLOAT, total, n);
        try (Gemm.Invariant ignored = Gemm.batchInvariant()) {
            Parallel.setThreads(1);
            // each row alone: a one-row view of A into a one-row view of C (1×1 where n is 1)
            for (int i = 0; i < total; i++) {
                Gemm.gemm(rows(a, i, i + 1), b, rows(alone, i, i + 1), false, transB, 1.0, 0.0);
            }
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int m : new int[] {2, 9, 15, 16, 17, 33, 40, 80, 145, 300}) {
                    for (int from = 0; from + m <= total; from += Math.max(7, m)) {
                        INDArray c = Nd4j.create(DataType.FLOAT, m, n);
                        Gemm.gemm(rows(a, from, from + m), b, c, false, transB, 1.0, 0.0);
                        assertSameRows(c, rows(alone, from, from + m), "rows %d..%d, %d threads", from, from + m,
                                threads);
                    }
                }
            }
        }
    }

    /**
     * Batch-invariant, operands whose rows lie further apart than their width (some columns of a wider matrix),
     * single rows of one and a 1×1 C give the bits of their dense copies, at 2 threads, and leave the wider C's other
     * columns untouched. (Outside batchInvariant() the leading dimensions may pick other kernels: oneDNN's one-column
     * product does.)
     */
    @ParameterizedTest
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void batchInvariantViewsOfSomeColumnsGiveTheBitsOfTheirDenseCopies(boolean transA, boolean transB) {
        Parallel.setThreads(2);
        for (int[] mnk : new int[][] {{1, 1, 53}, {1, 37, 53}, {5, 1, 300}, {40, 2, 9}, {70, 37, 53}}) {
            int m = mnk[0];
            int n = mnk[1];
            int k = mnk[2];
            INDArray a = columns(floats(1, transA ? k : m, (transA ? m : k) + 5), 2, transA ? m : k);
            INDArray b = columns(floats(2, transB ? n : k, (transB ? k : n) + 3), 3, transB ? k : n);
            INDArray wideC = floats(3, m, n + 4);
            INDArray c = columns(wideC, 1, n);
            INDArray denseC = c.dup('c');
            INDArray wideBefore = wideC.dup();
            try (Gemm.Invariant ignored = Gemm.batchInvariant()) {
                Gemm.gemm(a, b, c, transA, transB, 0.5, 2.0);
                Gemm.gemm(a.dup('c'), b.dup('c'), denseC, transA, transB, 0.5, 2.0);
            }
            String what = m + "x" + n + "x" + k;
            assertThat(bits(c)).as(what).containsExactly(bits(denseC));
            assertThat(columns(wideC, 0, 1)).as(what).isEqualTo(columns(wideBefore, 0, 1));
            assertThat(columns(wideC, n + 1, 3)).as(what).isEqualTo(columns(wideBefore, n + 1, 3));
        }
    }

    /**
     * Inference's split of short products: a product of under 32 rows splits by columns over 2 threads (pieces of
     * whole {@link Gemm#COLUMN_BLOCK}-column blocks, each with its own N), one of more rows by 16-row blocks, both
     * under the lower inference threshold. Either way every element keeps the bits of the unsplit product at one
     * thread, and each column block computed alone (a view of op(B)'s and C's columns) has the bits it has in the
     * whole product: a column's bits depend neither on N nor on its place.
     */
    @ParameterizedTest
    @CsvSource({"false,true", "false,false", "true,true", "true,false"})
    void batchInvariantSplitsOfShortProductsKeepTheBitsOfTheUnsplitProduct(boolean transA, boolean transB) {
        for (int[] mnk : new int[][] {{1, 128, 128}, {8, 384, 128}, {8, 512, 128}, {8, 128, 512}, {15, 200, 53},
                {16, 128, 128}, {31, 384, 128}, {32, 512, 128}, {32, 128, 512}, {8, 8000, 128}, {33, 65, 300},
                {4, 130, 384}}) {
            int m = mnk[0];
            int n = mnk[1];
            int k = mnk[2];
            INDArray a = floats(21, transA ? k : m, transA ? m : k);
            INDArray b = floats(22, transB ? n : k, transB ? k : n);
            INDArray c0 = floats(23, m, n);
            INDArray whole = c0.dup();
            INDArray split = c0.dup();
            String what = m + "x" + n + "x" + k;
            try (Gemm.Invariant ignored = Gemm.batchInvariant()) {
                Parallel.setThreads(1);
                Gemm.gemm(a, b, whole, transA, transB, 1.0, 1.0);
                Parallel.setThreads(2);
                Parallel.reopenFineSplits(); // a busy machine may have closed them
                Gemm.gemm(a, b, split, transA, transB, 1.0, 1.0);
                assertSameRows(split, whole, "%s at 2 threads", what);
                Parallel.setThreads(1);
                for (int from = 0; from < n; from += Gemm.COLUMN_BLOCK) {
                    int width = Math.min(Gemm.COLUMN_BLOCK, n - from);
                    if (width < 2) {
                        continue; // N = 1 is a regime of its own (padded to 2 columns)
                    }
                    INDArray part = columns(c0.dup(), from, width);
                    INDArray bPart = transB ? rows(b, from, from + width) : columns(b, from, width);
                    Gemm.gemm(a, bPart, part, transA, transB, 1.0, 1.0);
                    assertSameRows(part, columns(whole, from, width), "%s, columns %d..%d alone", what, from,
                            from + width);
                }
            }
        }
    }

    /**
     * Bit for bit where {@link Gemm#isBatchInvariant()}; elsewhere (OpenBLAS, other ISAs) within float
     * rounding: 2·K·2^-24·Σ|a·b| is about 7e-3 for K = 300 standard normals, values of magnitude ~17.
     */
    private static void assertSameRows(INDArray actual, INDArray expected, String what, Object... args) {
        if (Gemm.isBatchInvariant()) {
            assertThat(bits(actual)).as(what, args).containsExactly(bits(expected));
        } else {
            assertThat(actual.dup('c').data().asFloat()).as(what, args)
                    .containsExactly(expected.dup('c').data().asFloat(), within(7e-3f));
        }
    }

    private static void assertIsTheProductInDouble(boolean transA, boolean transB, int m, int n, int k) {
        // operands as row ranges of larger arrays, as the model's layers pass them, and some columns of those
        INDArray a = columns(rows(floats(1, (transA ? k : m) + 5, (transA ? m : k) + 3), 5), 1, transA ? m : k);
        INDArray b = columns(rows(floats(2, (transB ? n : k) + 2, (transB ? k : n) + 1), 2), 0, transB ? k : n);
        INDArray c = columns(rows(floats(3, m + 7, n + 2), 7), 2, n);
        double[][] before = c.castTo(DataType.DOUBLE).toDoubleMatrix();
        Gemm.gemm(a, b, c, transA, transB, 0.5, 2.0);

        double[][] av = a.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] bv = b.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] actual = c.castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double magnitude = 0;
                for (int p = 0; p < k; p++) {
                    double term = (transA ? av[p][i] : av[i][p]) * (transB ? bv[j][p] : bv[p][j]);
                    sum += term;
                    magnitude += Math.abs(term);
                }
                double expected = 0.5 * sum + 2.0 * before[i][j];
                double tolerance = 2 * k * 0x1p-24 * (0.5 * magnitude + 2.0 * Math.abs(before[i][j]));
                assertThat(actual[i][j]).as("C[%d][%d] of %dx%dx%d", i, j, m, n, k).isCloseTo(expected,
                        within(tolerance));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"false,true", "false,false", "true,false"})
    void batchedMatchesEachMatrixProduct(boolean transA, boolean transB) {
        Parallel.setThreads(2);
        int t = 19;
        int d = 8;
        // the attention's products: QKᵀ [T,d]·[T,d]ᵀ, P·V [T,T]·[T,d], Pᵀ·dC [T,T]ᵀ·[T,d]
        long[] aShape = transA ? new long[] {3, 4, t, t} : transB ? new long[] {3, 4, t, d} : new long[] {3, 4, t, t};
        long[] bShape = transB ? new long[] {3, 4, t, d} : new long[] {3, 4, t, d};
        INDArray a = floats(4, aShape);
        INDArray b = floats(5, bShape);
        int n = (int) (transB ? bShape[2] : bShape[3]);
        INDArray c = Nd4j.create(DataType.FLOAT, 3, 4, t, n);
        Gemm.batched(a, b, c, transA, transB);
        assertEachMatrixIsTheProduct(a, b, c, transA, transB);
    }

    /**
     * The attention's operands as {@link AttentionHeads} views: heads of [N, 3H] and [N, H] token rows, whose rows
     * lie a token apart. Float takes the split path with those strides as leading dimensions, double ND4J's matmul
     * on copies; both write only the view's columns.
     */
    @ParameterizedTest
    @CsvSource({"FLOAT,false,true", "FLOAT,false,false", "FLOAT,true,false", "DOUBLE,false,true", "DOUBLE,true,false"})
    void batchedReadsAndWritesHeadViewsOfTokenRows(DataType type, boolean transA, boolean transB) {
        Parallel.setThreads(2);
        int batch = 3;
        int t = 11;
        int heads = 4;
        int d = 6;
        AttentionHeads layout = new AttentionHeads(batch, t, heads, d);
        INDArray stacked = GradientCheck.randn(8, batch * t, 3 * heads * d).castTo(type);
        INDArray probs = GradientCheck.randn(9, batch, heads, t, t).castTo(type);
        INDArray a = transB ? layout.of(stacked, 0) : probs;
        INDArray b = layout.of(stacked, transB ? heads * d : 2 * heads * d);
        INDArray tokens = GradientCheck.randn(10, batch * t, 3 * heads * d + 5).castTo(type);
        INDArray before = tokens.dup();
        INDArray c = transB ? probs.ulike() : layout.of(tokens, heads * d + 2);
        Gemm.batched(a, b, c, transA, transB);
        assertEachMatrixIsTheProduct(a, b, c, transA, transB);
        if (!transB) {
            // the columns outside the view are untouched
            INDArray outside = Nd4j.hstack(tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(0, heads * d + 2)),
                    tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * heads * d + 2, 3 * heads * d + 5)));
            INDArray outsideBefore = Nd4j.hstack(before.get(NDArrayIndex.all(), NDArrayIndex.interval(0, heads * d + 2)),
                    before.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * heads * d + 2, 3 * heads * d + 5)));
            assertThat(outside).isEqualTo(outsideBefore);
        }
    }

    private static void assertEachMatrixIsTheProduct(INDArray a, INDArray b, INDArray c, boolean transA,
                                                     boolean transB) {
        long k = transA ? a.size(2) : a.size(3);
        // ND4J's get(point, point) on a strided head view returns an empty array: index dense copies
        a = a.dup('c');
        b = b.dup('c');
        c = c.dup('c');
        for (int i = 0; i < c.size(0); i++) {
            for (int h = 0; h < c.size(1); h++) {
                INDArray am = a.get(NDArrayIndex.point(i), NDArrayIndex.point(h)).castTo(DataType.DOUBLE);
                INDArray bm = b.get(NDArrayIndex.point(i), NDArrayIndex.point(h)).castTo(DataType.DOUBLE);
                INDArray opA = transA ? am.transpose() : am;
                INDArray opB = transB ? bm.transpose() : bm;
                INDArray expected = opA.mmul(opB);
                INDArray tolerance = Transforms.abs(opA).mmul(Transforms.abs(opB)).muli(2 * k * 0x1p-24);
                INDArray error = Transforms.abs(c.get(NDArrayIndex.point(i), NDArrayIndex.point(h))
                        .castTo(DataType.DOUBLE).sub(expected));
                assertThat(error.sub(tolerance).maxNumber().doubleValue()).as("matrix %d,%d", i, h).isLessThanOrEqualTo(0);
            }
        }
    }

    @Test
    void refusesMismatchedShapes() {
        INDArray a = floats(6, 4, 5);
        INDArray b = floats(7, 6, 3);
        assertThatThrownBy(() -> Gemm.gemm(a, b, Nd4j.create(DataType.FLOAT, 4, 3), false, false, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[4, 5]").hasMessageContaining("[6, 3]");
        INDArray q = floats(11, 2, 3, 5, 4);
        assertThatThrownBy(() -> Gemm.batched(q, floats(12, 2, 3, 6, 4), Nd4j.create(DataType.FLOAT, 2, 3, 5, 5),
                false, true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3, 6, 4]ᵀ");
        assertThatThrownBy(() -> Gemm.batched(floats(13, 5, 4), floats(14, 5, 4), Nd4j.create(DataType.FLOAT, 5, 5),
                false, true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batched gemm: [5, 4]");
    }

    private static INDArray rows(INDArray x, int skip) {
        return x.get(NDArrayIndex.interval(skip, x.rows()), NDArrayIndex.all());
    }

    private static INDArray rows(INDArray x, int from, int to) {
        return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    /** Columns [from, from + width) of x: a view whose rows lie x's width apart. */
    private static INDArray columns(INDArray x, int from, int width) {
        return x.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + width));
    }

    private static int[] bits(INDArray x) {
        float[] values = x.dup('c').data().asFloat();
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    private static INDArray floats(long seed, long... shape) {
        return GradientCheck.randn(seed, shape).castTo(DataType.FLOAT);
    }
}
