package dev.minibert.model.kernels;

import dev.minibert.model.FlatView;
import dev.minibert.model.Parallel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Softmax cross-entropy: the reference's row loops in double (no vector op: the JDK's vector exp rounds as the JIT
 * pleases, docs/kernels.md), its rows split over {@link Parallel}'s threads. A row's result does not depend on the
 * split, so the bits are the reference's at any thread count.
 */
final class FastCrossEntropy {
    private FastCrossEntropy() {
    }

    /** {@link Kernels#crossEntropy}; logits dense. */
    static void crossEntropy(INDArray logits, int[] labels, INDArray exps, double[] invSums, double[] nll) {
        int classes = (int) logits.columns();
        FlatView x = FlatView.of(logits);
        FlatView e = FlatView.of(exps);
        Parallel.forRange(labels.length, 1, rowsPerThread(classes), (from, to) ->
                ReferenceKernels.crossEntropyRows(x, labels, e, invSums, nll, classes, from, to));
    }

    /** {@link Kernels#crossEntropyBackward}. */
    static void crossEntropyBackward(INDArray exps, double[] invSums, int[] labels, double[] rowScales) {
        int classes = (int) exps.columns();
        FlatView e = FlatView.of(exps);
        Parallel.forRange(labels.length, 1, rowsPerThread(classes), (from, to) ->
                ReferenceKernels.crossEntropyBackwardRows(e, invSums, labels, rowScales, classes, from, to));
    }

    private static int rowsPerThread(int classes) {
        return Math.max(1, Parallel.minElementsPerThread() / classes);
    }
}
