package dev.minibert.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable buffers: a module keeps one array per role and allocates a new one only when the shape changes, so
 * steady-state training allocates nothing in the hot path. A returned buffer is therefore only valid until the
 * module's next forward (or backward) call. Which roles share memory across the encoder's layers is the
 * {@link MemoryPlan}'s to say: it points {@link Slot}s at shared {@link Memory}.
 *
 * <p>A buffer replaced because the shape changed is closed at once. ND4J frees off-heap memory only after the
 * garbage collector has seen its small on-heap handle, which can take thousands of steps; batches padded to
 * their longest row change shape every step, and a 12-layer finetune grew by ~100 MB a step until the kernel
 * killed it.
 */
public final class Scratch {
    /** The memory this class allocated, which it may hand out again under another shape and frees when replaced. */
    private static final Set<DataBuffer> OWNED = Collections.synchronizedSet(Collections.newSetFromMap(
            new IdentityHashMap<>()));

    private Scratch() {
    }

    public static INDArray reuse(INDArray current, DataType type, long... shape) {
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

    /** Bytes of the memory this class holds now, every model's together: what the memory-plan tests measure. */
    static long ownedBytes() {
        synchronized (OWNED) {
            return OWNED.stream().mapToLong(b -> b.length() * b.getElementSize()).sum();
        }
    }

    private static boolean matches(INDArray current, DataType type, long[] shape) {
        return current != null && current.dataType() == type && Arrays.equals(current.shape(), shape);
    }

    /**
     * Memory that one or more {@link Slot}s take their arrays from: reshaped over the same memory while it holds. It
     * keeps the array of the shape asked for before the current one too: a forward whose last layer runs on the
     * selected rows alone asks its shared memory for two shapes in turn, and a new array each time (a native shape
     * buffer and a deallocator) also made each layer's attention views anew ({@link BertSelfAttention}).
     */
    static final class Memory {
        private INDArray array;
        private INDArray before; // over array's memory, or stale (another memory) once array was replaced

        INDArray shaped(DataType type, long... shape) {
            if (before != null && before.data() == array.data() && !matches(array, type, shape)
                    && matches(before, type, shape)) {
                INDArray current = array;
                array = before;
                before = current;
                return array;
            }
            INDArray current = array;
            array = reuse(array, type, shape);
            if (array != current) {
                before = current;
            }
            return array;
        }
    }
}
