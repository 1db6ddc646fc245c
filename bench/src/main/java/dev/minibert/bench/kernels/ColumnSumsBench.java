package dev.minibert.bench.kernels;

import dev.minibert.model.kernels.Kernels;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A bias gradient, Σ_rows dy for dy [B·T, width] (B32 T128; width 128, 384 and 512 = the output, stacked
 * query-key-value and intermediate products at H128), through the kernels floats pick. What it measured:
 * docs/kernels.md, "Where a training step's time goes".
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ColumnSumsBench {
    @Param({"128", "384", "512"})
    public int width;

    private Kernels kernels;
    private INDArray dy;
    private INDArray biasGrad;

    @Setup
    public void setUp() {
        KernelBenchSetup.setUpNd4j();
        dy = KernelBenchSetup.gaussian(7, KernelBenchSetup.ROWS, width);
        biasGrad = Nd4j.zeros(DataType.FLOAT, width);
        kernels = Kernels.forType(DataType.FLOAT);
    }

    @Benchmark
    public INDArray columnSums() {
        kernels.addColumnSums(dy, biasGrad);
        return biasGrad;
    }
}
