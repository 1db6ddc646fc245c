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
 * oneDNN's {@code dnnl_sgemm} on AVX-512 (measured 2026-12-07 on a Zen 4 with throwaway probes; docs/serve.md) picks
 * its kernel by the product's shape, and the kernels sum in different orders:
 * <ul>
 *   <li>rows M: M = 1, M = 2..15 and M ≥ 16 are three regimes; with M ≥ 16 a row's bits depend neither on M nor on
 *       the row's place in the product. So every piece has at least {@link #MIN_ROWS} rows: {@link Gemm} splits
 *       rows into pieces of whole 16-row blocks, and a smaller product runs padded to 16 rows in scratch;</li>
 *   <li>columns N: N = 1 differs from N ≥ 2 (a one-key attention); such a product is padded to {@link #MIN_COLUMNS};
 *       </li>
 *   <li>depth K: up to 384 one block, past that oneDNN cuts K into blocks sized by K itself, so the keys' zero
 *       padding (probs·V, K = padded length) moved the cuts. The attention's products sum K here in fixed blocks of
 *       {@link #K_BLOCK}, where zero padding only adds exact zeros (a layer's K, its width, is never padded).</li>
 * </ul>
 * Training keeps the plain split: its bits are pinned by tests and gain nothing from this. OpenBLAS and oneDNN's AVX2
 * kernels have regimes of other shapes (rows in blocks of 6, columns in vectors of 8 and 16), which this does not
 * cover: {@link #holds(Sgemm)} says where it is known to.
 */
final class BatchInvariance {
    /** oneDNN's own regime starts at 16 rows. */
    static final int MIN_ROWS = 16;
    /** One column takes oneDNN's matrix-vector path. */
    static final int MIN_COLUMNS = 2;
    /** Below oneDNN's single-block depth (384) on AVX-512. */
    static final int K_BLOCK = 256;

    private static final ThreadLocal<Pads> PADS = ThreadLocal.withInitial(Pads::new);

    private BatchInvariance() {
    }

    /** Whether the library and CPU are those whose regimes this covers: oneDNN's sgemm on AVX-512. */
    static boolean holds(Sgemm library) {
        if (!(library instanceof OneDnnSgemm)) {
            return false;
        }
        int isa = dnnl.dnnl_get_effective_cpu_isa();
        return isa >= dnnl.dnnl_cpu_isa_avx512_core && isa <= dnnl.dnnl_cpu_isa_avx512_core_amx;
    }

    /**
     * One piece, as {@link Sgemm#sgemm}, at least MIN_ROWS × MIN_COLUMNS. With {@code paddedDepth} (the attention's
     * probs·V, whose K is the batch's padded length) K is summed in blocks of K_BLOCK; a layer's K is its width,
     * never padded, and needs no blocks.
     */
    static void sgemm(Sgemm library, boolean paddedDepth, boolean transA, boolean transB, int m, int n, int k,
                      float alpha, INDArray a, long aAt, int lda, INDArray b, long bAt, int ldb, float beta, INDArray c,
                      long cAt, int ldc) {
        int block = paddedDepth ? K_BLOCK : Math.max(k, 1);
        for (int p = 0; p < k || p == 0; p += block) {
            int depth = Math.min(block, k - p);
            // column p of op(A) and row p of op(B)
            long aBlock = aAt + (transA ? (long) p * lda : p);
            long bBlock = bAt + (transB ? p : (long) p * ldb);
            float blockBeta = p == 0 ? beta : 1f;
            if (m >= MIN_ROWS && n >= MIN_COLUMNS) {
                library.sgemm(transA, transB, m, n, depth, alpha, a, aBlock, lda, b, bBlock, ldb, blockBeta, c, cAt,
                        ldc);
            } else {
                PADS.get().sgemm(library, transA, transB, m, n, depth, alpha, a, aBlock, lda, b, bBlock, ldb,
                        blockBeta, c, cAt, ldc);
            }
        }
    }

    /**
     * A thread's scratch for a product padded to MIN_ROWS × MIN_COLUMNS: op(A), op(B) (when N is short) and C. Only
     * the real block is copied in: the pad keeps what an earlier product left there (zeros at first), which in
     * oneDNN's 16-row regime reaches only C's pad rows and columns, and those are dropped.
     */
    private static final class Pads {
        private INDArray a;
        private INDArray b;
        private INDArray c;

        void sgemm(Sgemm library, boolean transA, boolean transB, int m, int n, int k, float alpha, INDArray a,
                   long aAt, int lda, INDArray b, long bAt, int ldb, float beta, INDArray c, long cAt, int ldc) {
            int rows = Math.max(m, MIN_ROWS);
            int cols = Math.max(n, MIN_COLUMNS);
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
