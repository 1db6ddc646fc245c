package dev.minibert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code target[rows[i]] += source[i]}: the backward of a row gather (embedding lookup, masked-position pull),
 * in one Java pass over NIO views of the buffers. An ND4J op per row costs far more than its adds, and ND4J's
 * scatter_add needs an INT copy of the indices and a single-threaded lock to sum repeated rows exactly.
 */
public final class ScatterAdd {
    private ScatterAdd() {
    }

    /**
     * @param target [R,D] FLOAT or DOUBLE, dense row-major (its own buffer or a dense view of one); changed in place
     * @param rows   indices into R; repeats add up
     * @param source [rows.length,D] of the same data type, any layout
     */
    public static void rows(INDArray target, int[] rows, INDArray source) {
        long r = target.rows();
        int d = (int) target.columns();
        if (source.rank() != 2 || source.rows() != rows.length || source.columns() != d
                || source.dataType() != target.dataType()) {
            throw new IllegalArgumentException("source " + Arrays.toString(source.shape()) + " " + source.dataType()
                    + " for " + rows.length + " rows of " + Arrays.toString(target.shape()) + " " + target.dataType());
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= r) {
                throw new IllegalArgumentException("row " + rows[i] + " at " + i + " is out of range [0," + r + ")");
            }
        }
        FlatView t = FlatView.of(target);
        FlatView s = FlatView.of(FlatView.plain(source));
        double[] sum = new double[d];
        double[] add = new double[d];
        for (int i = 0; i < rows.length; i++) {
            t.read(rows[i] * d, sum);
            s.read(i * d, add);
            for (int j = 0; j < d; j++) {
                sum[j] += add[j];
            }
            t.write(rows[i] * d, sum);
        }
    }
}
