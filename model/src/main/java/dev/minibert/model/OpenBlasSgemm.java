package dev.minibert.model;

import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Sgemm} by OpenBLAS, its own thread pool set to one thread: the pieces are the threads. */
final class OpenBlasSgemm implements Sgemm {
    OpenBlasSgemm() {
        Nd4j.factory().blas().setMaxThreads(1);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, INDArray a, long aAt, int lda,
                      INDArray b, long bAt, int ldb, float beta, INDArray c, long cAt, int ldc) {
        openblas.cblas_sgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, Sgemm.at(a, aAt), lda,
                Sgemm.at(b, bAt), ldb, beta, Sgemm.at(c, cAt), ldc);
    }
}
