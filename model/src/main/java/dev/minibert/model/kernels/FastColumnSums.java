package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import dev.minibert.model.FlatView;
import dev.minibert.model.Parallel;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bias gradients: column sums of a float [N,W] in one read, each column summed over the rows in order. */
final class FastColumnSums {
    // columns summed together: four vectors of sums stay in registers over a block of rows
    private static final int BLOCK = 4 * LANES;
    // rows per pass over a thread's columns: a block of them stays in cache while each column block reads it
    private static final int ROW_BLOCK = 64;

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
        Parallel.forRange(width, GRAIN, Math.max(1, Parallel.minElementsPerThread() / rows), (from, to) -> {
            float[] sums = new float[to - from];
            for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
                int r1 = Math.min(rows, r0 + ROW_BLOCK);
                int j = from;
                for (; j + BLOCK <= to; j += BLOCK) {
                    addBlockSums(in, inBase, width, r0, r1, j, sums, j - from);
                }
                for (int r = r0; r < r1; r++) {
                    addRow(in, inBase + r * width * Float.BYTES, j, to, sums, j - from);
                }
            }
            for (int j = from; j < to; j++) {
                put(out, outBase, j, get(out, outBase, j) + sums[j - from]);
            }
        });
    }

    /**
     * sums[at, at + BLOCK) += Σ_{r in [r0, r1)} x[r][from, from + BLOCK): four vectors of sums held in registers
     * over the rows, not stored back row by row.
     */
    private static void addBlockSums(ByteBuffer in, int inBase, int width, int r0, int r1, int from, float[] sums,
                                     int at) {
        FloatVector s0 = FloatVector.fromArray(SPECIES, sums, at);
        FloatVector s1 = FloatVector.fromArray(SPECIES, sums, at + LANES);
        FloatVector s2 = FloatVector.fromArray(SPECIES, sums, at + 2 * LANES);
        FloatVector s3 = FloatVector.fromArray(SPECIES, sums, at + 3 * LANES);
        for (int r = r0, row = inBase + (r0 * width + from) * Float.BYTES; r < r1; r++, row += width * Float.BYTES) {
            s0 = s0.add(load(in, row, 0));
            s1 = s1.add(load(in, row, LANES));
            s2 = s2.add(load(in, row, 2 * LANES));
            s3 = s3.add(load(in, row, 3 * LANES));
        }
        s0.intoArray(sums, at);
        s1.intoArray(sums, at + LANES);
        s2.intoArray(sums, at + 2 * LANES);
        s3.intoArray(sums, at + 3 * LANES);
    }

    /** sums[at + j - from] += row[j] for j in [from, to). */
    private static void addRow(ByteBuffer in, int row, int from, int to, float[] sums, int at) {
        int vectorEnd = from + SPECIES.loopBound(to - from);
        int j = from;
        for (; j < vectorEnd; j += LANES) {
            FloatVector.fromArray(SPECIES, sums, at + j - from).add(load(in, row, j)).intoArray(sums, at + j - from);
        }
        for (; j < to; j++) {
            sums[at + j - from] += get(in, row, j);
        }
    }

    private FastColumnSums() {
    }
}
