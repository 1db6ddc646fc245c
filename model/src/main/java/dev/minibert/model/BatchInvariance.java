package dev.minibert.model;

import java.nio.FloatBuffer;
import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How {@link Gemm} runs inference's products so that a row of C gets the same bits whatever other rows share the
 * product and however far the attention's keys are padded: a text's answer then does not depend on its batch.
 * <p>
 * oneDNN's {@code dnnl_sgemm} picks its kernel by the product's shape, and the kernels sum in different orders. The
 * regimes differ by ISA (measured 2026-12-07 on a Zen 4 with throwaway probes, AVX2 as oneDNN's
 * {@code DNNL_MAX_CPU_ISA=AVX2}; docs/serve.md); each ISA gets its own {@link Regimes}. On AVX-512:
 * <ul>
 *   <li>rows M: M = 1, M = 2..15 and M ≥ 16 are three regimes; with M ≥ 16 a row's bits depend neither on M nor on
 *       the row's place in the product. So every piece has at least {@link #MIN_ROWS} rows: {@link Gemm} splits
 *       rows into pieces of whole 16-row blocks, and a smaller product runs padded to 16 rows in scratch;</li>
 *   <li>columns N: N = 1 differs from N ≥ 2 (a one-key attention); such a product is padded to 2 columns;</li>
 *   <li>depth K: up to 384 one block, past that oneDNN cuts K into blocks sized by K itself, so the keys' zero
 *       padding (probs·V, K = padded length) moved the cuts. The attention's products sum K here in fixed blocks of
 *       {@link #K_BLOCK}, where zero padding only adds exact zeros (a layer's K, its width, is never padded).</li>
 * </ul>
 * On AVX2 (oneDNN's 16-column × 6-row kernels, measured with op(A) untransposed, as inference calls it):
 * <ul>
 *   <li>rows M in blocks of 6: a block's last M mod 6 rows get other bits when M mod 6 is 1, 2 or 3 (M mod 6 = 4
 *       or 5 and whole 6-row groups agree, at any M and any place in the product). Past 72 rows (op(B)
 *       untransposed; 144 transposed) oneDNN first cuts M into row blocks whose sizes depend on M (halves of the
 *       rest, 48 or 96 at a time), each with such a tail. So one call takes at most 48 rows, and a call's 1 to 3
 *       last rows run padded to 6 rows in scratch, the rows before them as they are;</li>
 *   <li>columns N in vectors of 16: the last N mod 16 columns get other bits when N mod 16 is 1..8 (9..15 agree
 *       with whole vectors), whatever M. Such a product runs with N rounded up to a multiple of 16 in scratch
 *       (the attention's scores, N = padded length);</li>
 *   <li>depth K: up to 256 one block, past that cut into blocks sized by K; the same K_BLOCK of 256 fits.</li>
 * </ul>
 * Training keeps the plain split: its bits are pinned by tests and gain nothing from this. OpenBLAS has regimes of
 * other shapes, which this does not cover: {@link #holds(Sgemm)} says where it is known to.
 */
final class BatchInvariance {
    /** The row block of {@link Gemm}'s split over threads: oneDNN's AVX-512 regime starts at 16 rows. */
    static final int MIN_ROWS = 16;
    /** Below oneDNN's single-block depth: 384 on AVX-512, 256 on AVX2. */
    static final int K_BLOCK = 256;

    private static final ThreadLocal<Pads> PADS = ThreadLocal.withInitial(Pads::new);

    private BatchInvariance() {
    }

    /** Where a CPU kind's kernels change: which rows and columns of a piece must run padded, and to what. */
    private enum Regimes {
        /** M ≥ 16 and N ≥ 2 as they are; a piece under 16 rows runs padded to 16, one column padded to 2. */
        AVX512(Integer.MAX_VALUE, MIN_ROWS) {
            @Override
            int tailRows(int m) {
                return m < MIN_ROWS ? m : 0;
            }

            @Override
            int columns(int n) {
                return Math.max(n, 2);
            }
        },
        /**
         * Calls of at most 48 rows; their last M mod 6 rows padded to 6 where that is 1..3; N rounded up to 16s where
         * N mod 16 is 1..8.
         */
        AVX2(48, 6) {
            @Override
            int tailRows(int m) {
                int tail = m % 6;
                return tail <= 3 ? tail : 0;
            }

            @Override
            int columns(int n) {
                int tail = n % 16;
                return tail >= 1 && tail <= 8 ? n - tail + 16 : n;
            }
        };

        /** The most rows one call takes: oneDNN cuts more into row blocks of sizes that depend on M. */
        final int maxRows;
        /** The rows the padded last rows run as. */
        final int paddedRows;

        Regimes(int maxRows, int paddedRows) {
            this.maxRows = maxRows;
            this.paddedRows = paddedRows;
        }

        /** How many of a piece's m rows, the last ones, run padded to {@link #paddedRows}: 0 if none. */
        abstract int tailRows(int m);

        /** The columns a product of n columns runs as (n, or more in scratch). */
        abstract int columns(int n);

        /** The regimes of oneDNN's effective ISA, null where none are known. */
        static Regimes of(int isa) {
            if (isa >= dnnl.dnnl_cpu_isa_avx512_core && isa <= dnnl.dnnl_cpu_isa_avx512_core_amx) {
                return AVX512;
            }
            return isa == dnnl.dnnl_cpu_isa_avx2 ? AVX2 : null;
        }
    }

    /** oneDNN's effective ISA is fixed once it has run a kernel: looked up once. */
    private static final class Isa {
        static final Regimes REGIMES = Regimes.of(dnnl.dnnl_get_effective_cpu_isa());
    }

    /**
     * Whether the library and CPU are those whose regimes this covers: oneDNN's sgemm on AVX-512 or on AVX2 (not
     * AVX2-VNNI, unmeasured).
     */
    static boolean holds(Sgemm library) {
        return library instanceof OneDnnSgemm && Isa.REGIMES != null;
    }

    /**
     * Whether a product's columns may be split over threads in blocks of {@link Gemm#COLUMN_BLOCK} (each piece all
     * rows, its own N) with the bits of the unsplit product: on AVX-512, where a column's bits depend neither on N
     * (N ≥ 2) nor on the column's place (GemmTest checks); AVX2's 16-column vectors are not measured for it.
     */
    static boolean columnsSplit(Sgemm library) {
        return library instanceof OneDnnSgemm && Isa.REGIMES == Regimes.AVX512;
    }

    /**
     * One piece, as {@link Sgemm#sgemm}, with the rows and columns that would take other kernels padded in
     * scratch ({@link Regimes}). With {@code paddedDepth} (the attention's probs·V, whose K is the batch's padded
     * length) K is summed in blocks of K_BLOCK; a layer's K is its width, never padded, and needs no blocks.
     */
    static void sgemm(Sgemm library, boolean paddedDepth, boolean transA, boolean transB, int m, int n, int k,
                      float alpha, INDArray a, long aAt, int lda, INDArray b, long bAt, int ldb, float beta, INDArray c,
                      long cAt, int ldc) {
        // elsewhere (OpenBLAS, other ISAs) AVX-512's, as before the AVX2 regimes were measured
        Regimes regimes = library instanceof OneDnnSgemm && Isa.REGIMES != null ? Isa.REGIMES : Regimes.AVX512;
        int cols = regimes.columns(n);
        int block = paddedDepth ? K_BLOCK : Math.max(k, 1);
        for (int p = 0; p < k || p == 0; p += block) {
            int depth = Math.min(block, k - p);
            // column p of op(A) and row p of op(B)
            long aBlock = aAt + (transA ? (long) p * lda : p);
            long bBlock = bAt + (transB ? p : (long) p * ldb);
            float blockBeta = p == 0 ? beta : 1f;
            for (int r = 0, rows; r < m; r += rows) { // row r of op(A) and of C
                rows = Math.min(regimes.maxRows, m - r);
                chunk(library, regimes, transA, transB, rows, n, cols, depth, alpha, a,
                        aBlock + (transA ? r : (long) r * lda), lda, b, bBlock, ldb, blockBeta, c,
                        cAt + (long) r * ldc, ldc);
            }
        }
    }

    /** Rows that oneDNN takes in one block: those before the tail as they are, the tail padded. */
    private static void chunk(Sgemm library, Regimes regimes, boolean transA, boolean transB, int m, int n, int cols,
                              int k, float alpha, INDArray a, long aAt, int lda, INDArray b, long bAt, int ldb,
                              float beta, INDArray c, long cAt, int ldc) {
        int tail = regimes.tailRows(m);
        int bulk = m - tail;
        if (bulk > 0 && cols == n) {
            library.sgemm(transA, transB, bulk, n, k, alpha, a, aAt, lda, b, bAt, ldb, beta, c, cAt, ldc);
        } else if (bulk > 0) {
            PADS.get().sgemm(library, transA, transB, bulk, n, bulk, cols, k, alpha, a, aAt, lda, b, bAt, ldb, beta,
                    c, cAt, ldc);
        }
        if (tail > 0) { // the last rows: row `bulk` of op(A) and of C
            PADS.get().sgemm(library, transA, transB, tail, n, Math.max(tail, regimes.paddedRows), cols, k, alpha, a,
                    aAt + (transA ? bulk : (long) bulk * lda), lda, b, bAt, ldb, beta, c, cAt + (long) bulk * ldc,
                    ldc);
        }
    }

    /**
     * A thread's scratch for a product padded to rows × cols: op(A), op(B) (when N is short) and C. Only the real
     * block is copied in: the pad keeps what an earlier product left there (zeros at first), which in the padded
     * shape's regime reaches only C's pad rows and columns, and those are dropped.
     */
    private static final class Pads {
        private INDArray a;
        private INDArray b;
        private INDArray c;

        void sgemm(Sgemm library, boolean transA, boolean transB, int m, int n, int rows, int cols, int k,
                   float alpha, INDArray a, long aAt, int lda, INDArray b, long bAt, int ldb, float beta, INDArray c,
                   long cAt, int ldc) {
            // op(A): m rows of k (transposed: k rows of m) into `rows` rows of k (k rows of `rows`)
            this.a = grow(this.a, (long) rows * k);
            int padLda = transA ? rows : k;
            padInto(a, aAt, lda, transA ? k : m, transA ? m : k, this.a, padLda);
            INDArray bOperand = b;
            long bOperandAt = bAt;
            int bLd = ldb;
            if (n < cols) {
                this.b = grow(this.b, (long) cols * k);
                bLd = transB ? k : cols;
                padInto(b, bAt, ldb, transB ? n : k, transB ? k : n, this.b, bLd);
                bOperand = this.b;
                bOperandAt = 0;
            }
            this.c = grow(this.c, (long) rows * cols);
            if (beta != 0) { // else C is not read
                padInto(c, cAt, ldc, m, n, this.c, cols);
            }
            library.sgemm(transA, transB, rows, cols, k, alpha, this.a, 0, padLda, bOperand, bOperandAt, bLd, beta,
                    this.c, 0, cols);
            copyBack(this.c, cols, m, n, c, cAt, ldc);
        }

        private static INDArray grow(INDArray current, long length) {
            return current != null && current.length() >= length ? current : Nd4j.create(DataType.FLOAT, length);
        }

        /** from's rows × cols block (leading dimension ld) at element at into the top left of to's (toLd). */
        private static void padInto(INDArray from, long at, int ld, int rows, int cols, INDArray to, int toLd) {
            FloatBuffer src = floats(from);
            FloatBuffer dst = floats(to);
            int base = (int) from.offset() + (int) at;
            int toBase = (int) to.offset();
            for (int r = 0; r < rows; r++) {
                dst.put(toBase + r * toLd, src, base + r * ld, cols);
            }
        }

        /** from's top-left rows × cols block (leading dimension fromLd) into to's (ld) at element at. */
        private static void copyBack(INDArray from, int fromLd, int rows, int cols, INDArray to, long at, int ld) {
            FloatBuffer src = floats(from);
            FloatBuffer dst = floats(to);
            int base = (int) from.offset();
            int toBase = (int) to.offset() + (int) at;
            for (int r = 0; r < rows; r++) {
                dst.put(toBase + r * ld, src, base + r * fromLd, cols);
            }
        }

        private static FloatBuffer floats(INDArray x) {
            return x.data().asNioFloat();
        }
    }
}
