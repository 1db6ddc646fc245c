package dev.minibert.model;

import java.lang.ref.Cleaner;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;

/**
 * One thread's oneDNN primitives ({@link PackedWeight}'s products): made on first use per key, all sharing the
 * thread's one scratchpad (only the owning thread runs them, one at a time), and all destroyed once the thread is
 * gone, so a server's retired request threads leave nothing behind. The keys' caller keeps their number bounded.
 */
final class ThreadPrimitives {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ThreadLocal<ThreadPrimitives> OWN = ThreadLocal.withInitial(ThreadPrimitives::new);

    private final Natives natives = new Natives();

    private ThreadPrimitives() {
        CLEANER.register(this, natives); // the thread's exit drops the last reference (its ThreadLocal map)
    }

    /** What a kept primitive frees once its thread is gone: its oneDNN objects. */
    interface Primitive {
        void destroy();
    }

    /** This thread's primitive for key, made where it has none. */
    static <P extends Primitive> P get(Object key, Supplier<P> make) {
        Map<Object, Primitive> kept = OWN.get().natives.kept;
        @SuppressWarnings("unchecked") // each key is made by one caller, with one type
        P primitive = (P) kept.get(key);
        if (primitive == null) {
            primitive = make.get();
            kept.put(key, primitive);
        }
        return primitive;
    }

    /** This thread's scratchpad, of at least the bytes asked for: valid until this thread asks again. */
    static BytePointer scratchpad(long bytes) {
        Natives natives = OWN.get().natives;
        if (natives.scratchpad == null || natives.scratchpad.capacity() < bytes) {
            if (natives.scratchpad != null) {
                natives.scratchpad.close();
            }
            natives.scratchpad = new BytePointer(Math.max(1, bytes));
        }
        return natives.scratchpad;
    }

    /** How many primitives this thread keeps, read then or later from any thread: 0 once they are destroyed. */
    static IntSupplier kept() {
        Natives natives = OWN.get().natives;
        return natives::size;
    }

    /** A thread's primitives and scratchpad, freed by the cleaner once the thread is gone (it must not refer to it). */
    private static final class Natives implements Runnable {
        final Map<Object, Primitive> kept = new HashMap<>();
        BytePointer scratchpad;

        @Override
        public synchronized void run() {
            kept.values().forEach(Primitive::destroy);
            kept.clear();
            if (scratchpad != null) {
                scratchpad.close();
            }
        }

        synchronized int size() {
            return kept.size();
        }
    }
}
