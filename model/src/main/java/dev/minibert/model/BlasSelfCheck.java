package dev.minibert.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny float and double gemm checked against a Java loop before any number is trusted.
 * The OpenBLAS 0.3.19 inside nd4j-native M2.1 computes double gemm wrong with its Cooperlake
 * kernels (selected by OPENBLAS_CORETYPE=Cooperlake or an empty OPENBLAS_CORETYPE).
 */
public final class BlasSelfCheck {
    private static volatile boolean verified;

    private BlasSelfCheck() {
    }

    /** Throws {@link IllegalStateException} naming the fix when the BLAS gives wrong products. */
    public static void verify() {
        if (verified) {
            return;
        }
        check(DataType.FLOAT, 1e-4);
        check(DataType.DOUBLE, 1e-12);
        verified = true;
    }

    private static void check(DataType type, double tolerance) {
        int m = 37, k = 29, n = 41;
        double[] a = new double[m * k];
        double[] b = new double[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.sin(i * 0.37) + 0.1;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = Math.cos(i * 0.11) - 0.2;
        }
        INDArray x = Nd4j.create(a, new long[] {m, k}, 'c').castTo(type);
        INDArray y = Nd4j.create(b, new long[] {k, n}, 'c').castTo(type);
        INDArray out = Nd4j.create(type, m, n);
        Nd4j.gemm(x, y, out, false, false, 1.0, 0.0);
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double expected = 0;
                for (int p = 0; p < k; p++) {
                    expected += a[i * k + p] * b[p * n + j];
                }
                worst = Math.max(worst, Math.abs(out.getDouble(i, j) - expected) / (1 + Math.abs(expected)));
            }
        }
        if (!(worst <= tolerance)) {
            String coretype = System.getenv("OPENBLAS_CORETYPE");
            throw new IllegalStateException(String.format(
                    "BLAS self-check failed: %s gemm is off by %.3g (relative) against a Java loop; "
                            + "OPENBLAS_CORETYPE=%s. OpenBLAS 0.3.19 (nd4j-native 1.0.0-M2.1) has broken Cooperlake "
                            + "kernels: unset OPENBLAS_CORETYPE (or set OPENBLAS_CORETYPE=Haswell) and run again.",
                    type, worst, coretype == null ? "<unset>" : "'" + coretype + "'"));
        }
    }
}
