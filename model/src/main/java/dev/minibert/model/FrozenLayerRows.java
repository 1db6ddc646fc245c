package dev.minibert.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen post-norm layer's row-wise half, everything after the attention's context, one block of rows at a time
 * on each kernel thread:
 * <pre>
 *   h = LN1(x + context·Woᵀ + bo)
 *   u = GELU(h·Wiᵀ + bi)            a block's rows only, in the thread's own buffer
 *   y = LN2(h + u·Wdᵀ + bd)
 * </pre>
 * Each step reads the block the step before wrote while it is in the core's cache, and the intermediate [N,I] is
 * never written whole: one hand-off instead of four, and the memory traffic of a block instead of the batch. Every
 * step's rows are independent ({@link PackedWeight}'s products, the LayerNorm), so the output has the bits of the
 * module-by-module forward.
 */
final class FrozenLayerRows {
    /**
     * Rows per block (a thread's last block takes the rest). Measured on the Zen 4 (docs/speed.md): 32 or 64 rows lose
     * at I = 2048 (the packed product's small-M kernels), 256 gain nothing at I = 512 and lose at I = 2048.
     */
    static final int BLOCK_ROWS = 128;
    private static final ThreadLocal<INDArray[]> INTERMEDIATE = ThreadLocal.withInitial(() -> new INDArray[1]);

    private FrozenLayerRows() {
    }

    /**
     * y [N,H] from the attention's context [N,H] and the block's input x [N,H] (the residual), or null, with nothing
     * written, where a module cannot run row-wise frozen ({@link ResidualOutput#frozenRows}).
     */
    static INDArray forward(BertSelfOutput attentionOutput, Linear intermediate, BertOutput output, INDArray context,
                            INDArray x) {
        PackedWeight up = intermediate.packed();
        if (up == null) {
            return null;
        }
        ResidualOutput.Rows attention = attentionOutput.frozenRows(x);
        if (attention == null || !attention.takes(context)) {
            return null;
        }
        ResidualOutput.Rows feedForward = output.frozenRows(attention.output());
        if (feedForward == null) {
            return null;
        }
        INDArray h = attention.output();
        int width = (int) intermediate.weight().value().rows();
        long rowFlops = 2L * h.columns() * (h.columns() + 2L * width); // Wo, Wi and Wd per row
        Parallel.forRange((int) h.rows(), 1, Gemm.minRowsPerThread(rowFlops, true), (from, to) -> {
            INDArray u = intermediate((long) BLOCK_ROWS * width);
            for (int row = from, rows; row < to; row += rows) {
                rows = Math.min(BLOCK_ROWS, to - row);
                attention.run(context, row, row, rows);
                up.forwardRows(h, row, null, u, 0, rows, PackedWeight.Epilogue.GELU);
                feedForward.run(u, 0, row, rows);
            }
        });
        return feedForward.output();
    }

    /** This thread's buffer for a block's intermediate rows, flat (the packed products take it by address). */
    private static INDArray intermediate(long floats) {
        INDArray[] held = INTERMEDIATE.get();
        if (held[0] == null || held[0].length() < floats) {
            held[0] = Nd4j.create(DataType.FLOAT, floats);
        }
        return held[0];
    }
}
