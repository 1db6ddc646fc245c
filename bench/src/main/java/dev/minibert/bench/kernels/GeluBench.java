package dev.minibert.bench.kernels;

import dev.minibert.model.Gelu;
import dev.minibert.model.kernels.Kernels;
import java.util.concurrent.TimeUnit;
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
 * {@link Gelu} forward and backward on [B·T, width] floats (B32 T128; width 512 = the intermediate size at
 * H128, 128 = the MLM head's transform), through the kernels its data type picks. What it measured, and when:
 * docs/speed.md, "The float kernels".
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GeluBench {
    @Param({"128", "512"})
    public int width;

    private Gelu gelu;
    private INDArray x;
    private INDArray dy;

    @Setup
    public void setUp() {
        KernelBenchSetup.setUpNd4j();
        x = KernelBenchSetup.gaussian(5, KernelBenchSetup.ROWS, width);
        gelu = new Gelu(Kernels.forType(x.dataType()));
        dy = KernelBenchSetup.gaussian(6, KernelBenchSetup.ROWS, width);
        gelu.forward(x); // backward benchmarks reuse this forward's x
    }

    @Benchmark
    public INDArray forward() {
        return gelu.forward(x);
    }

    @Benchmark
    public INDArray backward() {
        return gelu.backward(dy);
    }
}
