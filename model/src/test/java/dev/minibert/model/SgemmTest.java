package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.model.io.ChildJvm;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each library's single-threaded piece against the product summed in double: every transpose combination, alpha
 * and beta, operands starting past their buffer's first element and leading dimensions wider than a row (the
 * attention's head views), at the model's small-K shapes. GemmTest checks the split products with the default.
 */
class SgemmTest {
    @ParameterizedTest
    @CsvSource({"onednn,false,false", "onednn,false,true", "onednn,true,false", "onednn,true,true",
            "openblas,false,false", "openblas,false,true", "openblas,true,false", "openblas,true,true"})
    void matchesTheProductInDouble(String library, boolean transA, boolean transB) {
        Sgemm sgemm = Sgemm.named(library);
        int m = 67;
        int n = 29;
        int k = 64;
        int lda = (transA ? m : k) + 3;
        int ldb = (transB ? k : n) + 5;
        int ldc = n + 2;
        INDArray a = GradientCheck.randn(1, 4 + (long) (transA ? k : m) * lda).castTo(DataType.FLOAT);
        INDArray b = GradientCheck.randn(2, 6 + (long) (transB ? n : k) * ldb).castTo(DataType.FLOAT);
        INDArray c = GradientCheck.randn(3, 1 + (long) m * ldc).castTo(DataType.FLOAT);
        double[] av = a.toDoubleVector();
        double[] bv = b.toDoubleVector();
        double[] before = c.toDoubleVector();
        sgemm.sgemm(transA, transB, m, n, k, 0.5f, a, 4, lda, b, 6, ldb, 2f, c, 1, ldc);

        double[] actual = c.toDoubleVector();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double magnitude = 0;
                for (int p = 0; p < k; p++) {
                    double term = av[4 + (transA ? p * lda + i : i * lda + p)] * bv[6 + (transB ? j * ldb + p : p * ldb + j)];
                    sum += term;
                    magnitude += Math.abs(term);
                }
                int at = 1 + i * ldc + j;
                double expected = 0.5 * sum + 2.0 * before[at];
                double tolerance = 2 * k * 0x1p-24 * (0.5 * magnitude + 2.0 * Math.abs(before[at]));
                assertThat(actual[at]).as("%s C[%d][%d]", library, i, j).isCloseTo(expected, within(tolerance));
            }
        }
        for (int j = n; j < ldc && 1 + j < actual.length; j++) {
            assertThat(actual[1 + j]).as("padding past a row of C").isEqualTo(before[1 + j]);
        }
    }

    /**
     * OpenMP's default team would put a second thread beside every piece. The launcher and the test runner set
     * OMP_NUM_THREADS=1, a library user need not: a child JVM without it runs a product on a fresh thread, which
     * must start no thread.
     */
    @Test
    void oneDnnRunsOnTheCallingThreadOnlyWithoutOmpNumThreads(@TempDir Path dir) throws Exception {
        ChildJvm child = ChildJvm.start(dir, List.of(), FreshThreadProduct.class.getName(), null, List.of(),
                List.of("OMP_NUM_THREADS"));
        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.output()).contains("threads started by the product: 0");
    }

    /** The child: one product on a fresh thread, counting this JVM's threads around it. */
    public static final class FreshThreadProduct {
        public static void main(String[] args) throws Exception {
            Sgemm sgemm = new OneDnnSgemm();
            INDArray a = Nd4j.rand(DataType.FLOAT, 256, 256);
            INDArray c = Nd4j.create(DataType.FLOAT, 256, 256);
            int[] counts = new int[2];
            Thread fresh = new Thread(() -> {
                counts[0] = threads();
                sgemm.sgemm(false, false, 256, 256, 256, 1f, a, 0, 256, a, 0, 256, 0f, c, 0, 256);
                counts[1] = threads();
            });
            fresh.start();
            fresh.join();
            System.out.println("threads started by the product: " + (counts[1] - counts[0]));
        }

        private static int threads() {
            return Objects.requireNonNull(new File("/proc/self/task").list()).length;
        }
    }

    @Test
    void anUnknownLibraryIsRefusedNamingTheProperty() {
        String before = System.getProperty(Sgemm.PROPERTY);
        System.setProperty(Sgemm.PROPERTY, "mkl");
        try {
            assertThatThrownBy(Sgemm::chosen).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("-Dminibert.sgemm=mkl: expected onednn or openblas");
        } finally {
            if (before == null) {
                System.clearProperty(Sgemm.PROPERTY);
            } else {
                System.setProperty(Sgemm.PROPERTY, before);
            }
        }
    }
}
