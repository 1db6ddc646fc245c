package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import dev.minibert.model.Parallel;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Softmax cross-entropy and its gradient on float vectors, rows split over {@link Parallel}'s threads. Per row: the
 * max (a vector max, exact), exps = {@link FloatLanes#exp}(x − max) in float, their sum with class c in lane
 * c mod LANES (the tail's lanes masked) and the lanes then added in {@link FloatLanes#sumLanes}' fixed tree; invSum
 * and nll are computed in double from that float sum. The backward scales the exps in float and subtracts the row's
 * scale at the label. A row's bits depend neither on the split nor on what the JIT has compiled (no vector op with
 * unspecified rounding). Against the reference's double: exp's ~1 ulp and the rounding of x − max per element, and a
 * float sum's rounding (KernelContractTest derives the bound).
 */
final class FastCrossEntropy {
    private FastCrossEntropy() {
    }

    /** {@link Kernels#crossEntropy}; logits dense. */
    static void crossEntropy(INDArray logits, int[] labels, INDArray exps, double[] invSums, double[] nll) {
        int classes = (int) logits.columns();
        ByteBuffer x = bytes(logits);
        ByteBuffer e = bytes(exps);
        int xBase = base(logits);
        int eBase = base(exps);
        int rowBytes = classes * Float.BYTES;
        Parallel.forRange(labels.length, 1, minRows(classes), (from, to) -> {
            for (int i = from; i < to; i++) {
                int xRow = xBase + i * rowBytes;
                float max = max(x, xRow, classes);
                double sum = expAndSum(x, xRow, e, eBase + i * rowBytes, classes, max);
                invSums[i] = 1 / sum;
                // both floats: their difference is exact in double
                nll[i] = Math.log(sum) - ((double) get(x, xRow, labels[i]) - max);
            }
        });
    }

    /** The row's max: exact, in any order. */
    private static float max(ByteBuffer x, int row, int classes) {
        int vectorEnd = SPECIES.loopBound(classes);
        FloatVector vmax = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            vmax = vmax.max(load(x, row, j));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < classes; j++) {
            max = Math.max(max, get(x, row, j));
        }
        return max;
    }

    /**
     * exps ← exp(x − max); returns their float sum. Class c is added into lane c mod LANES, the tail's too (masked),
     * then the lanes in FloatLanes.sumLanes' fixed tree: one order whatever the JIT has compiled.
     */
    private static float expAndSum(ByteBuffer x, int xRow, ByteBuffer e, int eRow, int classes, float max) {
        int vectorEnd = SPECIES.loopBound(classes);
        FloatVector vsum = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
            FloatVector v = exp(load(x, xRow, j).sub(max));
            v.intoByteBuffer(e, eRow + j * Float.BYTES, ORDER);
            vsum = vsum.add(v);
        }
        if (j < classes) {
            VectorMask<Float> tail = SPECIES.indexInRange(j, classes);
            FloatVector v = exp(FloatVector.fromByteBuffer(SPECIES, x, xRow + j * Float.BYTES, ORDER, tail).sub(max));
            v.intoByteBuffer(e, eRow + j * Float.BYTES, ORDER, tail);
            vsum = vsum.add(v, tail);
        }
        return sumLanes(vsum);
    }

    /**
     * {@link Kernels#crossEntropyBackward}: exps ← exps·(invSums[i]·rowScales[i]) in float (the factor rounded to
     * float once), then exps[label] − rowScales[i] in double, rounded to float.
     */
    static void crossEntropyBackward(INDArray exps, double[] invSums, int[] labels, double[] rowScales) {
        int classes = (int) exps.columns();
        ByteBuffer e = bytes(exps);
        int eBase = base(exps);
        int rowBytes = classes * Float.BYTES;
        Parallel.forRange(labels.length, 1, minRows(classes), (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = eBase + i * rowBytes;
                scaleRow(e, row, classes, (float) (invSums[i] * rowScales[i]));
                put(e, row, labels[i], (float) (get(e, row, labels[i]) - rowScales[i]));
            }
        });
    }
}
