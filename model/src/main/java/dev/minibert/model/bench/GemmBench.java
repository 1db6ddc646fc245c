package dev.minibert.model.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.Gemm;
import dev.minibert.model.Parallel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's sgemm ceiling as ND4J reaches it with OpenBLAS's own threads: square float products into a
 * preallocated output (the form the model uses) and through {@code mmul} (which allocates), so model GFLOP/s can
 * be read against what the BLAS can do; and the same products as the model computes them ({@link Gemm}: split by
 * rows over the kernel threads, one single-threaded OpenBLAS call each).
 */
public final class GemmBench {
    private GemmBench() {
    }

    public static ObjectNode run(int[] sizes, int steps) {
        int threads = Parallel.threads();
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("bench", "gemm");
        out.put("threads", threads);
        for (int n : sizes) {
            INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
            INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
            INDArray c = Nd4j.zeros(DataType.FLOAT, n, n);
            double flops = 2.0 * n * n * n;
            double split = StepTimer.median(StepTimer.time(() -> Gemm.gemm(a, b, c, false, false, 1.0, 0.0), 2, steps));
            Nd4j.factory().blas().setMaxThreads(threads); // OpenBLAS threading itself, for the ceiling
            double gemm = StepTimer.median(StepTimer.time(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0), 2, steps));
            double mmul = StepTimer.median(StepTimer.time(() -> a.mmul(b), 2, steps));
            Nd4j.factory().blas().setMaxThreads(1); // back to Gemm's single-threaded pieces
            out.put("gemm_" + n + "_gflops_per_s", round(flops / gemm / 1e9));
            out.put("mmul_" + n + "_gflops_per_s", round(flops / mmul / 1e9));
            out.put("split_gemm_" + n + "_gflops_per_s", round(flops / split / 1e9));
        }
        out.put("peak_rss_mb", round(PeakRss.megabytes()));
        return out;
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
