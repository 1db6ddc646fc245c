package dev.minibert.bench.kernels;

import dev.minibert.model.LayerNorm;
import dev.minibert.model.ParameterStore;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
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
 * {@link LayerNorm} forward and backward on [B·T, H] floats (B32 T128; H 128, and 512 as a wider row), next
 * to the ND4J op chain it replaced, so one run measures the gain.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LayerNormBench {
    private static final double EPS = 1e-12;

    @Param({"128", "512"})
    public int hidden;

    private LayerNorm layerNorm;
    private Nd4jOpChainBaseline baseline;
    private INDArray x;
    private INDArray dy;

    @Setup
    public void setUp() {
        KernelBenchSetup.setUpNd4j();
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        layerNorm = new LayerNorm(store, "ln", hidden, EPS);
        layerNorm.gamma().value().assign(KernelBenchSetup.gaussian(1, 1, hidden).addi(1).reshape(hidden));
        layerNorm.beta().value().assign(KernelBenchSetup.gaussian(2, 1, hidden).reshape(hidden));
        baseline = new Nd4jOpChainBaseline(layerNorm.gamma().value(), layerNorm.beta().value(), store, hidden, EPS);
        x = KernelBenchSetup.gaussian(3, KernelBenchSetup.ROWS, hidden).muli(2).addi(0.5);
        dy = KernelBenchSetup.gaussian(4, KernelBenchSetup.ROWS, hidden);
        layerNorm.forward(x); // backward benchmarks reuse this forward's x̂ and rstd
        baseline.forward(x);
    }

    @Benchmark
    public INDArray forward() {
        return layerNorm.forward(x);
    }

    @Benchmark
    public INDArray backward() {
        return layerNorm.backward(dy);
    }

    @Benchmark
    public INDArray nd4jOpChainBaselineForward() {
        return baseline.forward(x);
    }

    @Benchmark
    public INDArray nd4jOpChainBaselineBackward() {
        return baseline.backward(dy);
    }

    /** LayerNorm as it was before the fused kernel: ~7 ND4J ops forward, ~9 backward, each a pass over [N,H]. */
    private static final class Nd4jOpChainBaseline {
        private final INDArray gamma;
        private final INDArray beta;
        private final INDArray gammaGrad;
        private final INDArray betaGrad;
        private final int hidden;
        private final double eps;
        private INDArray normalized;
        private INDArray rstd;
        private INDArray output;
        private INDArray inputGrad;
        private INDArray product;

        Nd4jOpChainBaseline(INDArray gamma, INDArray beta, ParameterStore store, int hidden, double eps) {
            this.gamma = gamma;
            this.beta = beta;
            this.gammaGrad = Nd4j.zeros(store.dataType(), hidden);
            this.betaGrad = Nd4j.zeros(store.dataType(), hidden);
            this.hidden = hidden;
            this.eps = eps;
        }

        INDArray forward(INDArray x) {
            long n = x.rows();
            normalized = normalized != null ? normalized : Nd4j.create(x.dataType(), n, hidden);
            x.sub(x.mean(true, 1), normalized);
            INDArray norm = normalized.norm2(true, 1);
            rstd = Transforms.pow(norm.muli(norm).divi(hidden).addi(eps), -0.5, false);
            normalized.muli(rstd);
            output = output != null ? output : Nd4j.create(x.dataType(), n, hidden);
            Broadcast.mul(normalized, gamma, output, 1);
            return Broadcast.add(output, beta, output, 1);
        }

        INDArray backward(INDArray dy) {
            long n = dy.rows();
            product = product != null ? product : Nd4j.create(dy.dataType(), n, hidden);
            gammaGrad.addi(dy.mul(normalized, product).sum(0));
            betaGrad.addi(dy.sum(0));
            inputGrad = inputGrad != null ? inputGrad : Nd4j.create(dy.dataType(), n, hidden);
            Broadcast.mul(dy, gamma, inputGrad, 1);
            INDArray meanGrad = inputGrad.mean(true, 1);
            INDArray meanGradDotX = inputGrad.mul(normalized, product).mean(true, 1);
            normalized.mul(meanGradDotX, product);
            return inputGrad.subi(meanGrad).subi(product).muli(rstd);
        }
    }
}
