package dev.minibert.model;

import dev.minibert.model.kernels.LayerNormKernel;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm over the last axis of x [N,H] (HF's nn.LayerNorm, llm.c's layernorm_forward/backward):
 * <pre>
 *   mean = Σ_j x[j] / H,  var = Σ_j (x[j] − mean)² / H   (biased, as torch)
 *   rstd = 1 / sqrt(var + eps)
 *   xHat = (x − mean) · rstd
 *   y    = xHat · gamma + beta
 * </pre>
 * Rows are computed in double and stored in the array's type by the model's {@link LayerNormKernel}.
 */
public final class LayerNorm {
    private final Parameter gamma;
    private final Parameter beta;
    private final int hidden;
    private final double eps;
    private final LayerNormKernel kernel;
    private INDArray xHat;  // [N,H], kept for backward
    private double[] rstd;  // [N], kept for backward
    private INDArray output;
    private INDArray inputGrad;

    public LayerNorm(ParameterStore store, String name, int hidden, double eps) {
        this.hidden = hidden;
        this.eps = eps;
        this.gamma = store.add(name + ".weight", hidden);
        this.beta = store.add(name + ".bias", hidden);
        this.kernel = store.kernels().layerNorm();
    }

    /** x: [N,H] → y [N,H]. */
    public INDArray forward(INDArray x) {
        if (x.rank() != 2 || x.columns() != hidden) {
            throw new IllegalArgumentException(gamma.name() + ": expected input [N," + hidden + "], got "
                    + Arrays.toString(x.shape()));
        }
        int n = (int) x.rows();
        xHat = Scratch.reuse(xHat, x.dataType(), n, hidden);
        output = Scratch.reuse(output, x.dataType(), n, hidden);
        rstd = rstd != null && rstd.length == n ? rstd : new double[n];
        kernel.forward(x, values(gamma), values(beta), eps, xHat, rstd, output);
        return output;
    }

    /**
     * dy: [N,H] → dx [N,H], inverting y = xHat·gamma + beta and xHat = (x − mean)·rstd:
     * <pre>
     *   dGamma += Σ_rows dy · xHat,  dBeta += Σ_rows dy
     *   dxHat = dy · gamma
     *   dx    = rstd · (dxHat − mean_j(dxHat) − xHat · mean_j(dxHat · xHat))
     * </pre>
     */
    public INDArray backward(INDArray dy) {
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), dy.rows(), hidden);
        double[] gammaGrad = new double[hidden];
        double[] betaGrad = new double[hidden];
        kernel.backward(dy, xHat, values(gamma), rstd, inputGrad, gammaGrad, betaGrad);
        FlatView.of(gamma.grad()).add(gammaGrad);
        FlatView.of(beta.grad()).add(betaGrad);
        return inputGrad;
    }

    private double[] values(Parameter p) {
        return FlatView.of(p.value()).read(0, new double[hidden]);
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }
}
