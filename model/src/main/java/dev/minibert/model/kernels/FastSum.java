package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import dev.minibert.model.FlatView;
import java.nio.ByteBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Element-wise sums of floats split over the kernel threads: ND4J's add ran on one thread while the other waited. */
final class FastSum {
    /** {@link Kernels#sum}; a and b dense. */
    static void sum(INDArray a, INDArray b, INDArray out) {
        if (!FlatView.isPlain(out) || a.length() != out.length() || b.length() != out.length()) {
            throw new IllegalArgumentException("sum: " + a.shapeInfoToString() + " + " + b.shapeInfoToString()
                    + " into " + out.shapeInfoToString());
        }
        ByteBuffer x = bytes(a);
        ByteBuffer y = bytes(b);
        ByteBuffer to = bytes(out);
        int xBase = base(a);
        int yBase = base(b);
        int toBase = base(out);
        forElements((int) out.length(), (from, end) -> {
            int vectorEnd = from + SPECIES.loopBound(end - from);
            sumVectors(x, xBase, y, yBase, to, toBase, from, vectorEnd);
            for (int i = vectorEnd; i < end; i++) {
                put(to, toBase, i, get(x, xBase, i) + get(y, yBase, i));
            }
        });
    }

    private static void sumVectors(ByteBuffer x, int xBase, ByteBuffer y, int yBase, ByteBuffer to, int toBase,
                                   int from, int end) {
        for (int i = from; i < end; i += LANES) {
            load(x, xBase, i).add(load(y, yBase, i)).intoByteBuffer(to, toBase + i * Float.BYTES, ORDER);
        }
    }

    private FastSum() {
    }
}
