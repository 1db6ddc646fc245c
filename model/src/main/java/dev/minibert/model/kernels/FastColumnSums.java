package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import dev.minibert.model.FlatView;
import dev.minibert.model.Parallel;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bias gradients: column sums of a float [N,W] in one read, each column summed over the rows in order. */
final class FastColumnSums {
    // columns summed together over all rows: four vectors of sums stay in registers
    private static final int BLOCK = 4 * LANES;

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
            int j = from;
            for (; j + BLOCK <= to; j += BLOCK) {
                addBlockSums(in, inBase, rows, width, j, out, outBase);
            }
            float[] sums = new float[to - j];
            for (int r = 0; r < rows; r++) {
                addRow(in, inBase + r * width * Float.BYTES, j, to, sums);
            }
            for (int k = j; k < to; k++) {
                put(out, outBase, k, get(out, outBase, k) + sums[k - j]);
            }
        });
    }

    /** Columns [from, from + BLOCK): their sums held in registers over all rows, not stored back row by row. */
    private static void addBlockSums(ByteBuffer in, int inBase, int rows, int width, int from, ByteBuffer out,
                                     int outBase) {
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int r = 0, row = inBase + from * Float.BYTES; r < rows; r++, row += width * Float.BYTES) {
            s0 = s0.add(load(in, row, 0));
            s1 = s1.add(load(in, row, LANES));
            s2 = s2.add(load(in, row, 2 * LANES));
            s3 = s3.add(load(in, row, 3 * LANES));
        }
        int at = outBase + from * Float.BYTES;
        load(out, at, 0).add(s0).intoByteBuffer(out, at, ORDER);
        load(out, at, LANES).add(s1).intoByteBuffer(out, at + LANES * Float.BYTES, ORDER);
        load(out, at, 2 * LANES).add(s2).intoByteBuffer(out, at + 2 * LANES * Float.BYTES, ORDER);
        load(out, at, 3 * LANES).add(s3).intoByteBuffer(out, at + 3 * LANES * Float.BYTES, ORDER);
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
