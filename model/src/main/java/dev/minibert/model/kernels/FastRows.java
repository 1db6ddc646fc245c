package dev.minibert.model.kernels;

import dev.minibert.model.FlatView;
import dev.minibert.model.Parallel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Embedding rows: the gather is ND4J's pullRows (a copy); the scatter-add is the reference's loop with the columns
 * split over {@link Parallel}'s threads, so that each element still gets its adds in the order of the ids: the
 * reference's bits at any thread count.
 */
final class FastRows {
    private FastRows() {
    }

    /** {@link Kernels#gatherRows}. */
    static void gatherRows(INDArray table, int[] ids, INDArray out) {
        ReferenceKernels.checkRows("gather", table, ids, out);
        Nd4j.pullRows(table, out, 1, ids);
    }

    /** {@link Kernels#scatterAddRows}. */
    static void scatterAddRows(INDArray target, int[] ids, INDArray rows) {
        ReferenceKernels.checkRows("scatter-add", target, ids, rows);
        int width = (int) target.columns();
        FlatView t = FlatView.of(target);
        FlatView r = FlatView.of(FlatView.plain(rows));
        Parallel.forRange(width, 16, Math.max(1, Parallel.minElementsPerThread() / Math.max(1, ids.length)),
                (from, to) -> ReferenceKernels.scatterAddColumns(t, ids, r, width, from, to));
    }
}
