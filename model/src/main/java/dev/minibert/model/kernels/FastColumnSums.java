package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import dev.minibert.model.FlatView;
import dev.minibert.model.Parallel;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bias gradients: column sums of a float [N,W] in one read, each column summed over the rows in order. */
final class FastColumnSums {
    /** target[j] += Σ_r x[r][j] for x [N,W] and target [W], dense; each column summed over the rows in order. */
    static void addColumnSums(INDArray x, INDArray target) {
        if (!FlatView.isPlain(target)) { // written in place, so never a copy
            throw new IllegalArgumentException("column sums: not a dense target: " + target.shapeInfoToString());
        }
        int width = (int) target.length();
        int rows = (int) x.rows();
        ByteBuffer in = bytes(x);
        ByteBuffer out = bytes(target);
        int inBase = base(x);
        int outBase = base(target);
        // split by columns, so that each column is still summed over the rows in order
        Parallel.forRange(width, GRAIN, Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / rows), (from, to) -> {
            float[] sums = new float[to - from];
            for (int r = 0; r < rows; r++) {
                addRow(in, inBase + r * width * Float.BYTES, from, to, sums);
            }
            for (int j = from; j < to; j++) {
                put(out, outBase, j, get(out, outBase, j) + sums[j - from]);
            }
        });
    }

    /** sums[j - from] += row[j] for j in [from, to). */
    private static void addRow(ByteBuffer in, int row, int from, int to, float[] sums) {
        int vectorEnd = from + SPECIES.loopBound(to - from);
        int j = from;
        for (; j < vectorEnd; j += LANES) {
            FloatVector.fromArray(SPECIES, sums, j - from).add(load(in, row, j)).intoArray(sums, j - from);
        }
        for (; j < to; j++) {
            sums[j - from] += get(in, row, j);
        }
    }

    private FastColumnSums() {
    }
}
