package dev.minibert.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * The elements of an array in row-major order as doubles, read and written through the NIO view of its
 * buffer. The fused kernels (LayerNorm, GELU, dropout) loop over these: each ND4J op costs a call and a
 * full memory pass, and ND4J's own per-element get/put costs more than the arithmetic. Floats are widened
 * on read and rounded on write, so a kernel is written once, computes in double, and serves the float
 * model (training) and the double one (gradient checks) alike.
 */
abstract sealed class FlatView permits FlatView.Floats, FlatView.Doubles {
    /**
     * x itself when its elements lie in its buffer in row-major order from index 0 (a fresh or reshaped
     * array), else a row-major copy (views with offsets or strides, 'f' order). The model's activations
     * are all the former; the copy keeps the kernels correct for anything else a caller passes.
     */
    static INDArray plain(INDArray x) {
        return isPlain(x) ? x : x.dup('c');
    }

    /** A view of a {@link #plain} array; anything else is refused, since its buffer order differs. */
    static FlatView of(INDArray x) {
        if (!isPlain(x)) {
            throw new IllegalArgumentException("not a dense row-major array from offset 0: " + x.shapeInfoToString());
        }
        if (x.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("more than 2^31 elements: " + x.length());
        }
        return x.dataType() == DataType.DOUBLE ? new Doubles(x.data().asNioDouble())
                : x.dataType() == DataType.FLOAT ? new Floats(x.data().asNioFloat())
                : unsupported(x.dataType());
    }

    private static boolean isPlain(INDArray x) {
        return x.ordering() == 'c' && x.offset() == 0 && Shape.hasDefaultStridesForShape(x)
                && x.length() == x.data().length();
    }

    private static FlatView unsupported(DataType type) {
        throw new IllegalArgumentException("the fused kernels take FLOAT or DOUBLE arrays, got " + type);
    }

    abstract double get(int i);

    abstract void set(int i, double v);

    /** v as this array stores it (rounded to float for a float array). */
    abstract double stored(double v);

    /** Copies elements [from, from + into.length) into {@code into}. */
    final double[] read(int from, double[] into) {
        for (int j = 0; j < into.length; j++) {
            into[j] = get(from + j);
        }
        return into;
    }

    /** Adds {@code values} onto elements [0, values.length): gradients accumulate. */
    final void add(double[] values) {
        for (int j = 0; j < values.length; j++) {
            set(j, get(j) + values[j]);
        }
    }

    static final class Floats extends FlatView {
        private final FloatBuffer buffer;

        Floats(FloatBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        double get(int i) {
            return buffer.get(i);
        }

        @Override
        void set(int i, double v) {
            buffer.put(i, (float) v);
        }

        @Override
        double stored(double v) {
            return (float) v;
        }
    }

    static final class Doubles extends FlatView {
        private final DoubleBuffer buffer;

        Doubles(DoubleBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        double get(int i) {
            return buffer.get(i);
        }

        @Override
        void set(int i, double v) {
            buffer.put(i, v);
        }

        @Override
        double stored(double v) {
            return v;
        }
    }
}
