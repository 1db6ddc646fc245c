package dev.minibert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The model's matrix products, C = alpha·op(A)·op(B) + beta·C, row-major, op a transpose or not.
 * <p>
 * On the CPU, float products are split over the kernel threads ({@link Parallel}) by rows of C (or, batched, by
 * matrices), and each piece is one single-threaded {@link Sgemm} (oneDNN's, or OpenBLAS's). A library's own threads
 * run one product at a time and then spin, waiting for the next, on the core that the Java kernels' second thread
 * needs. Split here, the same threads run products and kernels, and the attention's many small products per layer
 * need no hand-off each (measurements in docs/kernels.md). Any operand whose rows are contiguous takes this path, its
 * rows any stride apart (a view of some columns, one row of a larger matrix, a 1×1 C): a product that left it for
 * ND4J's gemm would leave {@link #batchInvariant()} too. Doubles (the gradient checks), operands whose columns are
 * strided (a transposed view) and the CUDA backend take ND4J's gemm and matmul.
 * <p>
 * A library handles a piece's edge rows with narrower kernels, so products (and runs) are bit-identical at one
 * thread count, not across them. Inside {@link #batchInvariant()} (inference: {@link BertModel#noGrad()}) a row's
 * bits depend on neither its neighbours, nor the split, nor the attention's padding ({@link BatchInvariance}).
 */
public final class Gemm {
    /** Multiply-adds below this per extra thread stay on one thread: a hand-off costs ~10-50 µs. */
    private static final long MIN_FLOPS_PER_THREAD = 1L << 22;
    /**
     * The same inside {@link #batchInvariant()} (inference), where a row's bits do not depend on the split and
     * {@link Parallel}'s spinning workers take a piece without a wake-up: a 32×512×128 layer product splits.
     */
    private static final long INFERENCE_MIN_FLOPS_PER_THREAD = 1L << 18;
    /** Inference's column split of a product of too few rows to split: pieces of whole blocks of this many columns. */
    static final int COLUMN_BLOCK = 64;
    private static final boolean CPU = Nd4j.getEnvironment().isCPU();
    private static final ThreadLocal<Boolean> INVARIANT = ThreadLocal.withInitial(() -> false);

    /** The scope of {@link #batchInvariant()}; closing it restores the products as they were. */
    interface Invariant extends AutoCloseable {
        @Override
        void close();
    }

    private Gemm() {
    }

    /**
     * Until the returned scope is closed, this thread's float products on the CPU run batch-invariant: every row of
     * C gets the bits it would get in any other product that holds the same row of op(A) (its batch, its thread
     * split, the zero padding of K), where {@link #isBatchInvariant()}. Costs the padding of products under 16 rows.
     */
    static Invariant batchInvariant() {
        boolean before = INVARIANT.get();
        INVARIANT.set(true);
        return () -> INVARIANT.set(before);
    }

    /** Whether this thread is inside {@link #batchInvariant()} (inference): {@link Parallel}'s thresholds are lower. */
    static boolean inInvariantScope() {
        return INVARIANT.get();
    }

    /** Whether {@link #batchInvariant()} holds for this library and CPU: oneDNN's sgemm on AVX-512 or AVX2. */
    public static boolean isBatchInvariant() {
        return CPU && BatchInvariance.holds(Library.SGEMM);
    }

    /** C [rows,cols] = alpha·op(A)·op(B) + beta·C for rank-2 A, B, C (BLAS's names, not the shape letters). */
    public static void gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double alpha,
                            double beta) {
        if (!splits(a, b, c)) {
            Nd4j.gemm(a, b, c, transA, transB, alpha, beta);
            return;
        }
        int m = (int) c.rows();
        int n = (int) c.columns();
        int k = (int) (transA ? a.rows() : a.columns());
        if ((transA ? a.columns() : a.rows()) != m || (transB ? b.columns() : b.rows()) != k
                || (transB ? b.rows() : b.columns()) != n) {
            throw new IllegalArgumentException("gemm: op(A) " + Arrays.toString(a.shape()) + (transA ? "ᵀ" : "")
                    + " · op(B) " + Arrays.toString(b.shape()) + (transB ? "ᵀ" : "") + " into "
                    + Arrays.toString(c.shape()));
        }
        long rowFlops = 2L * n * k;
        boolean invariant = INVARIANT.get(); // the caller's: pieces run on the kernel threads too
        int lda = leadingDimension(a);
        int ldb = leadingDimension(b);
        int ldc = leadingDimension(c);
        Parallel.Range piece = (from, to) -> sgemm(invariant, false, transA, transB, to - from, n, k,
                (float) alpha, a, transA ? from : (long) from * lda, lda, b, 0, ldb, (float) beta,
                c, (long) from * ldc, ldc);
        if (!invariant) {
            Parallel.forRange(m, 16, minRowsPerThread(rowFlops, false), piece);
            return;
        }
        // whole blocks of MIN_ROWS rows per thread, the last piece taking the remainder: no piece under MIN_ROWS
        boolean fine = Parallel.fineSplitsPay();
        int minRows = minRowsPerThread(rowFlops, true);
        int block = BatchInvariance.MIN_ROWS;
        int blocks = Math.max(1, m / block);
        if (fine && blocks == 1 && Parallel.threads() > 1 && BatchInvariance.columnsSplit(Library.SGEMM)) {
            // too few rows to split: whole blocks of COLUMN_BLOCK columns per thread, all rows each (a column's
            // bits depend neither on N nor on its place, N >= 2, as BatchInvariance pads; GemmTest checks);
            // a piece's cost counts the rows it runs padded to
            long columnFlops = 2L * Math.max(m, block) * k;
            int minColumns = (int) Math.max(1, minFlopsPerThread(true) / Math.max(columnFlops, 1));
            Parallel.forRange(n, COLUMN_BLOCK, minColumns, (from, to) -> sgemm(true, false, transA, transB, m,
                    to - from, k, (float) alpha, a, 0, lda, b, transB ? (long) from * ldb : from, ldb, (float) beta,
                    c, from, ldc));
            return;
        }
        Parallel.forRange(blocks, 1, Math.max(1, minRows / block), (from, to) ->
                piece.run(from * block, to == blocks ? m : to * block));
    }

    /**
     * The fewest rows of rowFlops multiply-adds each worth a thread of their own: fewer for inference where
     * {@link Parallel#fineSplitsPay()}.
     */
    static int minRowsPerThread(long rowFlops, boolean inference) {
        return (int) Math.max(1, minFlopsPerThread(inference) / Math.max(rowFlops, 1));
    }

    /** Multiply-adds per extra thread below which work stays on one thread, for inference or not. */
    private static long minFlopsPerThread(boolean inference) {
        return inference && Parallel.fineSplitsPay() ? INFERENCE_MIN_FLOPS_PER_THREAD : MIN_FLOPS_PER_THREAD;
    }

    /** One piece on the calling thread, batch-invariant or not; paddedDepth: K may be a padded sequence length. */
    private static void sgemm(boolean invariant, boolean paddedDepth, boolean transA, boolean transB, int m, int n,
                              int k, float alpha, INDArray a, long aAt, int lda, INDArray b, long bAt, int ldb,
                              float beta, INDArray c, long cAt, int ldc) {
        if (invariant) {
            BatchInvariance.sgemm(Library.SGEMM, paddedDepth, transA, transB, m, n, k, alpha, a, aAt, lda, b, bAt,
                    ldb, beta, c, cAt, ldc);
        } else {
            Library.SGEMM.sgemm(transA, transB, m, n, k, alpha, a, aAt, lda, b, bAt, ldb, beta, c, cAt, ldc);
        }
    }

    /**
     * C[i,j] = op(A[i,j])·op(B[i,j]) for rank-4 arrays [B,heads,rows,cols] (beta 0): the attention's products, each
     * matrix single-threaded, the matrices split over the threads. A matrix's rows must be contiguous; they may lie
     * any stride apart (the gemm's leading dimension), as in {@link AttentionHeads}' views.
     */
    public static void batched(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
        if (a.rank() != 4 || b.rank() != 4 || c.rank() != 4) {
            throw batchedShapeError(a, b, c, transA, transB);
        }
        int m = (int) c.size(2);
        int n = (int) c.size(3);
        int k = (int) (transA ? a.size(2) : a.size(3));
        if ((transA ? a.size(3) : a.size(2)) != m || (transB ? b.size(3) : b.size(2)) != k
                || (transB ? b.size(2) : b.size(3)) != n
                || a.size(0) != c.size(0) || b.size(0) != c.size(0) || a.size(1) != c.size(1) || b.size(1) != c.size(1)) {
            throw batchedShapeError(a, b, c, transA, transB);
        }
        if (!splits(a, b, c)) {
            // ND4J's matmul on dense copies: strided views are this class's own layout, not every backend's
            INDArray out = FlatView.isPlain(c) ? c : c.ulike();
            Nd4j.matmul(FlatView.plain(a), FlatView.plain(b), out, transA, transB, false);
            if (out != c) {
                c.assign(out);
            }
            return;
        }
        int perBatch = (int) c.size(1);
        long matrixFlops = 2L * m * n * k;
        boolean invariant = INVARIANT.get();
        int lda = leadingDimension(a);
        int ldb = leadingDimension(b);
        int ldc = leadingDimension(c);
        long minFlops = minFlopsPerThread(invariant);
        Parallel.forRange((int) c.size(0) * perBatch, 1, (int) Math.max(1, minFlops / matrixFlops),
                (from, to) -> {
                    for (int i = from; i < to; i++) {
                        int i0 = i / perBatch;
                        int i1 = i % perBatch;
                        sgemm(invariant, true, transA, transB, m, n, k, 1f, a, matrixStart(a, i0, i1), lda, b,
                                matrixStart(b, i0, i1), ldb, 0f, c, matrixStart(c, i0, i1), ldc);
                    }
                });
    }

    private static IllegalArgumentException batchedShapeError(INDArray a, INDArray b, INDArray c, boolean transA,
                                                              boolean transB) {
        return new IllegalArgumentException("batched gemm: " + Arrays.toString(a.shape()) + (transA ? "ᵀ" : "")
                + " · " + Arrays.toString(b.shape()) + (transB ? "ᵀ" : "") + " into " + Arrays.toString(c.shape()));
    }

    /**
     * The leading dimension of the row-major matrix in x's last two axes, the stride between its rows; 0 where its
     * rows are not contiguous (a column stride other than 1) or overlap. ND4J gives an axis of one element any
     * stride (1 for a fresh [1,n] array): a single row's is its width, a single column's stride is never used.
     */
    static int leadingDimension(INDArray x) {
        int rowAxis = x.rank() - 2;
        long width = x.size(rowAxis + 1);
        long ld = x.size(rowAxis) == 1 ? Math.max(x.stride(rowAxis), width) : x.stride(rowAxis);
        boolean contiguous = (width == 1 || x.stride(rowAxis + 1) == 1) && ld >= width && ld <= Integer.MAX_VALUE;
        for (int axis = 0; axis < rowAxis; axis++) {
            contiguous &= x.stride(axis) >= 0;
        }
        return contiguous ? (int) Math.max(ld, 1) : 0;
    }

    private static long matrixStart(INDArray x, int i0, int i1) {
        return i0 * x.stride(0) + i1 * x.stride(1);
    }

    private static boolean isFloat(INDArray a, INDArray b, INDArray c) {
        return a.dataType() == DataType.FLOAT && b.dataType() == DataType.FLOAT && c.dataType() == DataType.FLOAT;
    }

    /** Whether the product runs as {@link Sgemm} pieces: floats on the CPU, each operand's rows contiguous. */
    private static boolean splits(INDArray a, INDArray b, INDArray c) {
        return CPU && isFloat(a, b, c) && leadingDimension(a) > 0 && leadingDimension(b) > 0
                && leadingDimension(c) > 0;
    }

    /** The library, loaded on the first float product on the CPU (the CUDA build loads none). */
    private static final class Library {
        static final Sgemm SGEMM = Sgemm.chosen();
    }
}
