package dev.minibert.bench.kernels;

import dev.minibert.model.Gelu;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
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
 * H128, 128 = the MLM head's transform), next to the ND4J op chain it replaced.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GeluBench {
    @Param({"128", "512"})
    public int width;

    private Gelu gelu;
    private Nd4jOpChainBaseline baseline;
    private INDArray x;
    private INDArray dy;

    @Setup
    public void setUp() {
        KernelBenchSetup.setUpNd4j();
        gelu = new Gelu();
        baseline = new Nd4jOpChainBaseline();
        x = KernelBenchSetup.gaussian(5, KernelBenchSetup.ROWS, width);
        dy = KernelBenchSetup.gaussian(6, KernelBenchSetup.ROWS, width);
        gelu.forward(x); // backward benchmarks reuse this forward's Φ
        baseline.forward(x);
    }

    @Benchmark
    public INDArray forward() {
        return gelu.forward(x);
    }

    @Benchmark
    public INDArray backward() {
        return gelu.backward(dy);
    }

    @Benchmark
    public INDArray nd4jOpChainBaselineForward() {
        return baseline.forward(x);
    }

    @Benchmark
    public INDArray nd4jOpChainBaselineBackward() {
        return baseline.backward(dy);
    }

    /** GELU as it was before the fused kernel: 5 ND4J ops forward (ND4J's float erf), 6 backward. */
    private static final class Nd4jOpChainBaseline {
        private static final double INV_SQRT2 = 1 / Math.sqrt(2);
        private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
        private INDArray input;
        private INDArray cdf;
        private INDArray output;
        private INDArray inputGrad;

        INDArray forward(INDArray x) {
            input = x;
            cdf = cdf != null ? cdf : Nd4j.create(x.dataType(), x.shape());
            Nd4j.exec(new Erf(x.mul(INV_SQRT2, cdf), cdf));
            cdf.addi(1).muli(0.5);
            output = output != null ? output : Nd4j.create(x.dataType(), x.shape());
            return x.mul(cdf, output);
        }

        INDArray backward(INDArray dy) {
            inputGrad = inputGrad != null ? inputGrad : Nd4j.create(dy.dataType(), dy.shape());
            input.mul(input, inputGrad).muli(-0.5);
            Transforms.exp(inputGrad, false);
            return inputGrad.muli(input).muli(INV_SQRT_2PI).addi(cdf).muli(dy);
        }
    }
}
