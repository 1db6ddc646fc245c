package dev.minibert.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable activation buffers: a module keeps one array per role and allocates a new one only when
 * the shape changes, so steady-state training allocates nothing in the hot path. A returned buffer
 * is therefore only valid until the module's next forward (or backward) call.
 *
 * <p>While a {@link Pool} is open on this thread, {@link #reuse} hands out the pool's arrays in call
 * order instead. Encoder layers run the same sequence of calls, so layers given the same pool share
 * their buffers: that is how an inference forward keeps two layers' activations instead of all of them.
 *
 * <p>A buffer replaced because the shape changed is closed at once. ND4J frees off-heap memory only after the
 * garbage collector has seen its small on-heap handle, which can take thousands of steps; batches padded to
 * their longest row change shape every step, and a 12-layer finetune grew by ~100 MB a step until the kernel
 * killed it. A module must therefore always, or never, run inside a pool.
 */
public final class Scratch {
    private static final ThreadLocal<Pool> OPEN = new ThreadLocal<>();

    private Scratch() {
    }

    public static INDArray reuse(INDArray current, DataType type, long... shape) {
        Pool pool = OPEN.get();
        if (pool != null) {
            return pool.take(type, shape);
        }
        return matches(current, type, shape) ? current : replace(current, type, shape);
    }

    private static INDArray replace(INDArray current, DataType type, long[] shape) {
        release(current);
        return Nd4j.create(type, shape);
    }

    private static void release(INDArray current) {
        if (current != null && current.closeable()) {
            current.close();
        }
    }

    private static boolean matches(INDArray current, DataType type, long[] shape) {
        return current != null && current.dataType() == type && Arrays.equals(current.shape(), shape);
    }

    /** Buffers handed out in the order they are asked for, from the start each time the pool is opened. */
    static final class Pool {
        private final List<INDArray> arrays = new ArrayList<>();
        private int next;

        /** Makes this pool serve {@link #reuse} on this thread until the returned handle is closed. */
        Opened open() {
            if (OPEN.get() != null) {
                throw new IllegalStateException("a scratch pool is already open on this thread");
            }
            next = 0;
            OPEN.set(this);
            return OPEN::remove;
        }

        private INDArray take(DataType type, long[] shape) {
            if (next == arrays.size()) {
                arrays.add(null);
            }
            INDArray current = arrays.get(next);
            if (!matches(current, type, shape)) {
                current = replace(current, type, shape);
                arrays.set(next, current);
            }
            next++;
            return current;
        }
    }

    /** Closes an open pool; never throws. */
    interface Opened extends AutoCloseable {
        @Override
        void close();
    }
}
