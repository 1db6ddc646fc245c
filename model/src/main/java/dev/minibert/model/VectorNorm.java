package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * L2 norms and dot products through BLAS level 1 on flat views. ND4J 1.0.0-M2.1's own scalar reductions
 * ({@code norm2Number}, {@code sumNumber}) cost milliseconds per call on the CPU backend, BLAS microseconds,
 * and probes run on every parameter every step.
 */
public final class VectorNorm {
    private VectorNorm() {
    }

    public static double l2(INDArray a) {
        return Nd4j.getBlasWrapper().nrm2(flat(a));
    }

    public static double dot(INDArray a, INDArray b) {
        if (a.dataType() != b.dataType()) {
            b = b.castTo(a.dataType());
        }
        return Nd4j.getBlasWrapper().dot(flat(a), flat(b));
    }

    private static INDArray flat(INDArray a) {
        INDArray c = a.isView() && !(a.ordering() == 'c' && a.elementWiseStride() == 1) ? a.dup('c') : a;
        return c.reshape(new long[] {c.length()});
    }
}
