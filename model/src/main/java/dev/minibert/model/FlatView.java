package dev.minibert.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The elements of an array in row-major order as doubles, read and written through the NIO view of its
 * buffer. The fused kernels (LayerNorm, dropout, cross-entropy, row scatter-add) loop over these: each ND4J
 * op costs a call and a full memory pass, and ND4J's own per-element get/put costs more than the arithmetic.
 * Floats are widened on read and rounded on write, so a kernel is written once, computes in double, and serves
 * the float model (training) and the double one (gradient checks) alike. Whole rows go through {@link #read}
 * and {@link #write}, one loop per type, so a kernel's inner loop carries no per-element type dispatch.
 */
public abstract sealed class FlatView permits FlatView.Floats, FlatView.Doubles {
    /** Index of element 0 in the buffer: a dense view (e.g. a row range) starts past the buffer's start. */
    final int offset;

    private FlatView(long offset) {
        this.offset = Math.toIntExact(offset);
    }

    /**
     * x itself when its elements lie contiguously in row-major order (a fresh or reshaped array, or a row range
     * of one), else a row-major copy (strided views, 'f' order). The model's activations are all the former; the
     * copy keeps the kernels correct for anything else a caller passes.
     */
    public static INDArray plain(INDArray x) {
        return isPlain(x) ? x : x.dup('c');
    }

    /** A view of a {@link #plain} array (it is written through, so no copy is made); anything else is refused. */
    public static FlatView of(INDArray x) {
        if (!isPlain(x)) {
            throw new IllegalArgumentException("not a dense row-major array: " + x.shapeInfoToString());
        }
        if (x.offset() + x.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("more than 2^31 elements: " + x.length());
        }
        return x.dataType() == DataType.DOUBLE ? new Doubles(x.data().asNioDouble(), x.offset())
                : x.dataType() == DataType.FLOAT ? new Floats(x.data().asNioFloat(), x.offset())
                : unsupported(x.dataType());
    }

    /**
     * Whether x's elements lie contiguously in row-major order from its offset: each axis longer than one strided by
     * the size of the axes after it. ND4J gives an axis of one element any stride, and does not call a [1,1] array's
     * strides its default ({@code Shape.hasDefaultStridesForShape}), which would refuse a 1-label head's logits at
     * batch 1.
     */
    public static boolean isPlain(INDArray x) {
        long dense = 1;
        for (int axis = x.rank() - 1; axis >= 0; axis--) {
            if (x.size(axis) != 1 && x.stride(axis) != dense) {
                return false;
            }
            dense *= x.size(axis);
        }
        return true;
    }

    private static FlatView unsupported(DataType type) {
        throw new IllegalArgumentException("the fused kernels take FLOAT or DOUBLE arrays, got " + type);
    }

    public abstract double get(int i);

    public abstract void set(int i, double v);

    /** v as this array stores it (rounded to float for a float array). */
    public abstract double stored(double v);

    /** Copies elements [from, from + into.length) into {@code into}. */
    public abstract double[] read(int from, double[] into);

    /** Stores {@code values} into elements [from, from + values.length). */
    public abstract void write(int from, double[] values);

    /** Copies elements [from, from + length) into {@code to}'s elements [at, at + length), a view of the same type. */
    public abstract void copyTo(int from, FlatView to, int at, int length);

    /** Adds {@code values} onto elements [0, values.length): gradients accumulate. */
    public final void add(double[] values) {
        for (int j = 0; j < values.length; j++) {
            set(j, get(j) + values[j]);
        }
    }

    static final class Floats extends FlatView {
        private final FloatBuffer buffer;

        Floats(FloatBuffer buffer, long offset) {
            super(offset);
            this.buffer = buffer;
        }

        @Override
        public double get(int i) {
            return buffer.get(offset + i);
        }

        @Override
        public void set(int i, double v) {
            buffer.put(offset + i, (float) v);
        }

        @Override
        public double stored(double v) {
            return (float) v;
        }

        @Override
        public double[] read(int from, double[] into) {
            int at = offset + from;
            for (int j = 0; j < into.length; j++) {
                into[j] = buffer.get(at + j);
            }
            return into;
        }

        @Override
        public void write(int from, double[] values) {
            int at = offset + from;
            for (int j = 0; j < values.length; j++) {
                buffer.put(at + j, (float) values[j]);
            }
        }

        @Override
        public void copyTo(int from, FlatView to, int at, int length) {
            ((Floats) to).buffer.put(to.offset + at, buffer, offset + from, length);
        }
    }

    static final class Doubles extends FlatView {
        private final DoubleBuffer buffer;

        Doubles(DoubleBuffer buffer, long offset) {
            super(offset);
            this.buffer = buffer;
        }

        @Override
        public double get(int i) {
            return buffer.get(offset + i);
        }

        @Override
        public void set(int i, double v) {
            buffer.put(offset + i, v);
        }

        @Override
        public double stored(double v) {
            return v;
        }

        @Override
        public double[] read(int from, double[] into) {
            buffer.get(offset + from, into);
            return into;
        }

        @Override
        public void write(int from, double[] values) {
            buffer.put(offset + from, values);
        }

        @Override
        public void copyTo(int from, FlatView to, int at, int length) {
            ((Doubles) to).buffer.put(to.offset + at, buffer, offset + from, length);
        }
    }
}
