package dev.minibert.model;

import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * {@link Sgemm} by oneDNN's {@code dnnl_sgemm}, on the calling thread only. oneDNN parallelises with OpenMP,
 * whose thread count is a per-thread setting; each kernel thread sets its own to one before its first product
 * (through ND4J's {@code setOmpNumThreads}, a plain {@code omp_set_num_threads} into the one libgomp both
 * libraries load), or every piece would start a team of its own that spins on the other pieces' cores.
 */
final class OneDnnSgemm implements Sgemm {
    private static final ThreadLocal<Boolean> SINGLE_THREADED = ThreadLocal.withInitial(() -> {
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
        return true;
    });

    /** Sets this thread's OpenMP team to one thread, once per thread (also for {@link PackedWeight}'s primitives). */
    static void singleThreaded() {
        SINGLE_THREADED.get();
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, INDArray a, long aAt, int lda,
                      INDArray b, long bAt, int ldb, float beta, INDArray c, long cAt, int ldc) {
        singleThreaded();
        int status = dnnl.dnnl_sgemm((byte) (transA ? 'T' : 'N'), (byte) (transB ? 'T' : 'N'), m, n, k, alpha,
                Sgemm.at(a, aAt), lda, Sgemm.at(b, bAt), ldb, beta, Sgemm.at(c, cAt), ldc);
        if (status != dnnl.dnnl_success) {
            throw new IllegalStateException("dnnl_sgemm failed with status " + status + " on " + m + "x" + n + "x" + k);
        }
    }
}
