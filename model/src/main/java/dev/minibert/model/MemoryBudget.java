package dev.minibert.model;

import org.bytedeco.javacpp.Pointer;

/**
 * The memory a file may ask for, checked before anything is allocated so that a hostile or mistaken size is a
 * clear error naming the size and the limit rather than an OutOfMemoryError or a wrapped int. Every check throws
 * IllegalArgumentException; callers prefix the file.
 */
public final class MemoryBudget {
    /** One tensor passes through a Java array or ByteBuffer (safetensors, ONNX), which an int indexes. */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8L;

    private MemoryBudget() {
    }

    /** A tensor of {@code bytes} must fit one Java array and the heap that array is allocated in. */
    public static void checkTensor(String what, long bytes) {
        if (bytes > MAX_TENSOR_BYTES) {
            throw new IllegalArgumentException(what + ": " + bytes + " bytes, over the " + MAX_TENSOR_BYTES
                    + "-byte limit of one tensor (a Java array)");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap) {
            throw new IllegalArgumentException(what + ": " + bytes + " bytes, over the " + heap
                    + "-byte Java heap it is read through (raise -Xmx)");
        }
    }

    /** ND4J keeps tensors off-heap, where javacpp refuses allocations past its maxbytes. */
    public static void checkOffHeap(String what, long bytes) {
        long limit = Pointer.maxBytes();
        if (limit > 0 && bytes > limit) {
            throw new IllegalArgumentException(what + ": " + bytes + " bytes, over ND4J's off-heap limit of "
                    + limit + " bytes (javacpp maxbytes: -Dorg.bytedeco.javacpp.maxbytes, by default the -Xmx heap)");
        }
    }
}
