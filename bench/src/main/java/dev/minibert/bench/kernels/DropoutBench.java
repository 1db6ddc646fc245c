package dev.minibert.bench.kernels;

import dev.minibert.model.Dropout;
import dev.minibert.model.kernels.Kernels;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Dropout in training, a fresh mask drawn and applied, on [B·T, width] floats (B32 T128; width 128 = a hidden
 * dropout at H128, 256 = the attention probabilities' B·A·T·T elements at A2), through the kernels floats pick.
 * What it measured: docs/kernels.md, "Where a training step's time goes".
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DropoutBench {
    @Param({"128", "256"})
    public int width;

    private Dropout dropout;
    private INDArray x;

    @Setup
    public void setUp() {
        KernelBenchSetup.setUpNd4j();
        x = KernelBenchSetup.gaussian(8, KernelBenchSetup.ROWS, width);
        dropout = new Dropout(0.1, Kernels.forType(DataType.FLOAT));
    }

    @Benchmark
    public INDArray forward() {
        return dropout.forward(x, true);
    }
}
