package dev.minibert.bench.kernels;

import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.Parallel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What the kernel benchmarks share: the pretraining step's shapes, float data from one seed, ND4J's threads. */
final class KernelBenchSetup {
    /** B·T at B32 T128. */
    static final int ROWS = 32 * 128;

    private KernelBenchSetup() {
    }

    /**
     * Two threads, as the speed comparisons with the peer use and as the CLI sets them up: the Java kernels' and
     * the float products' (Gemm splits those into single-threaded sgemm calls, oneDNN's by default, so the
     * library's own threads stay at one); ND4J's own element-wise ops keep the one thread OMP_NUM_THREADS=1 gives them
     * (scripts/jmh-kernels.sh sets it).
     */
    static void setUpNd4j() {
        Nd4j.factory().blas().setMaxThreads(1);
        Parallel.setThreads(2);
        BlasSelfCheck.verify();
    }

    /** N(0, 1) floats [rows, cols] from {@code seed}. */
    static INDArray gaussian(long seed, int rows, int cols) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, rows, cols);
    }
}
