package dev.minibert.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Element i = row·columns + column of a dense row-major FLOAT or DOUBLE matrix, read and written through
 * an NIO view of its buffer: for loops over rows where an ND4J op (or getDouble/putScalar) per row or per
 * element would cost more than the arithmetic. Doubles pass through as they are, floats are rounded once.
 */
final class NioView {
    private final FloatBuffer floats;   // null for DOUBLE
    private final DoubleBuffer doubles; // null for FLOAT
    private final int offset;

    private NioView(INDArray a) {
        boolean isDouble = a.dataType() == DataType.DOUBLE;
        this.floats = isDouble ? null : a.data().asNioFloat();
        this.doubles = isDouble ? a.data().asNioDouble() : null;
        this.offset = (int) a.offset();
    }

    /** A view of {@code a}, which must be dense row-major (it is written through, so no copy is made). */
    static NioView of(INDArray a) {
        if (!isDenseRowMajor(a)) {
            throw new IllegalArgumentException("expected a dense row-major matrix, got " + a.shapeInfoToString());
        }
        if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("expected FLOAT or DOUBLE, got " + a.dataType());
        }
        return new NioView(a);
    }

    /** A view for reading {@code a}: of a row-major copy when {@code a} is laid out otherwise. */
    static NioView reading(INDArray a) {
        return of(isDenseRowMajor(a) ? a : a.dup('c'));
    }

    static boolean isDenseRowMajor(INDArray a) {
        return a.rank() == 2 && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a);
    }

    /** Elements from..from+row.length-1 into {@code row}: a loop per type, so the element loop has no branch. */
    void get(int from, double[] row) {
        int at = offset + from;
        if (doubles != null) {
            doubles.get(at, row);
        } else {
            for (int c = 0; c < row.length; c++) {
                row[c] = floats.get(at + c);
            }
        }
    }

    /** {@code row} into elements from..from+row.length-1. */
    void put(int from, double[] row) {
        int at = offset + from;
        if (doubles != null) {
            doubles.put(at, row);
        } else {
            for (int c = 0; c < row.length; c++) {
                floats.put(at + c, (float) row[c]);
            }
        }
    }
}
