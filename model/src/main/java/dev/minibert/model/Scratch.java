package dev.minibert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable activation buffers: a module keeps one array per role and allocates a new one only when
 * the shape changes, so steady-state training allocates nothing in the hot path. A returned buffer
 * is therefore only valid until the module's next forward (or backward) call.
 */
final class Scratch {
    private Scratch() {
    }

    static INDArray reuse(INDArray current, DataType type, long... shape) {
        if (current != null && current.dataType() == type && Arrays.equals(current.shape(), shape)) {
            return current;
        }
        return Nd4j.create(type, shape);
    }

    /** A [n,1] column of ones (for bias adds and row sums as gemm), kept while n stays the same. */
    static INDArray ones(INDArray current, DataType type, long n) {
        if (current != null && current.dataType() == type && current.rows() == n) {
            return current;
        }
        return Nd4j.ones(type, n, 1);
    }
}
