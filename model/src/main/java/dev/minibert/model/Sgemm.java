package dev.minibert.model;

import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One single-threaded, row-major float product C = alpha·op(A)·op(B) + beta·C on operands given as ND4J buffers
 * plus the element where each starts: the piece of a product that {@link Gemm} hands to one kernel thread.
 * <p>
 * Two libraries can compute it: oneDNN's {@code dnnl_sgemm} (the default: its JIT-generated kernels fit the model's
 * small-K and small-N shapes, where OpenBLAS 0.3.19 spends much of its time packing) and OpenBLAS's
 * {@code cblas_sgemm} (the BLAS ND4J ships). {@code -Dminibert.sgemm=openblas} picks OpenBLAS; measurements in
 * docs/speed.md. The library changes the last bits of a product, so runs are bit-identical for one library, one
 * thread count and one CPU kind.
 */
public interface Sgemm {
    /** The property that picks the library: {@code onednn} (default) or {@code openblas}. */
    String PROPERTY = "minibert.sgemm";

    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, INDArray a, long aAt, int lda,
               INDArray b, long bAt, int ldb, float beta, INDArray c, long cAt, int ldc);

    /** The libraries by name, the default first. */
    List<String> LIBRARIES = List.of("onednn", "openblas");

    /** The library {@link #PROPERTY} names; loaded on the first float product on the CPU. */
    static Sgemm chosen() {
        return named(System.getProperty(PROPERTY, LIBRARIES.get(0)));
    }

    /** One of {@link #LIBRARIES}. */
    static Sgemm named(String name) {
        return switch (name) {
            case "onednn" -> new OneDnnSgemm();
            case "openblas" -> new OpenBlasSgemm();
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + name + ": expected onednn or openblas");
        };
    }

    /** The address of x's element (row-major index); a view's buffer address already includes its offset. */
    static FloatPointer at(INDArray x, long element) {
        return new FloatPointer(x.data().addressPointer()).position(x.offset() - x.data().offset() + element);
    }
}
