package dev.minibert.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataBuffer;
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
    /** The memory this class allocated, which it may hand out again under another shape and frees when replaced. */
    private static final Set<DataBuffer> OWNED = Collections.synchronizedSet(Collections.newSetFromMap(
            new IdentityHashMap<>()));

    private Scratch() {
    }

    public static INDArray reuse(INDArray current, DataType type, long... shape) {
        Pool pool = OPEN.get();
        if (pool != null) {
            return pool.take(type, shape);
        }
        return matches(current, type, shape) ? current : replace(current, type, shape);
    }

    /**
     * An array of this shape over current's memory when that holds enough, else over fresh memory: the MLM head's
     * row count changes every batch, and allocating (and zeroing) its [masked, vocab] buffers anew each step cost
     * ~0.15 s of a hidden-256 step. Memory allocated to grow a buffer gets 1/8 headroom; a first one gets none.
     */
    private static INDArray replace(INDArray current, DataType type, long[] shape) {
        long length = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        boolean owned = current != null && OWNED.contains(current.data());
        if (owned && current.dataType() == type && current.data().length() >= length) {
            return Nd4j.create(current.data(), shape);
        }
        long capacity = owned && current.dataType() == type ? length + length / 8 : length;
        release(current);
        DataBuffer memory = Nd4j.createBuffer(type, Math.max(capacity, 1), true);
        OWNED.add(memory);
        return Nd4j.create(memory, shape);
    }

    private static void release(INDArray current) {
        if (current == null) {
            return;
        }
        if (OWNED.remove(current.data())) {
            current.data().close();
        } else if (current.closeable()) {
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
