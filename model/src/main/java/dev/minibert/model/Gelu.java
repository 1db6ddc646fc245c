package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GELU in BERT's erf form (HF's "gelu"), not the tanh approximation that ND4J's GELU ops use:
 * <pre>
 *   y = x · Φ(x),  Φ(x) = (1 + erf(x / √2)) / 2
 *   dy/dx = Φ(x) + x · φ(x),  φ(x) = exp(−x²/2) / √(2π)
 * </pre>
 * The reference kernels take ND4J's erf; the fast float kernel approximates it by Abramowitz &amp; Stegun
 * 7.1.26, whose |error| ≤ 1.5e-7 (about one float ulp of 1): Φ is off by at most 7.5e-8, so y by 7.5e-8·|x| beyond
 * float rounding. {@code GeluTest} holds both to the exact form (fdlibm's erf, in double).
 * The backward recomputes Φ from the kept x rather than keeping it.
 */
public final class Gelu {
    private final Kernels kernels;
    private INDArray input;
    private INDArray output;
    private INDArray inputGrad;

    public Gelu(Kernels kernels) {
        this.kernels = kernels;
    }

    /** x: any shape → y of its shape; x is kept for backward and must not change before it. */
    public INDArray forward(INDArray x) {
        input = x;
        output = Scratch.reuse(output, x.dataType(), x.shape());
        kernels.gelu(x, output);
        return output;
    }

    /** dy → dx = dy · (Φ(x) + x·φ(x)). */
    public INDArray backward(INDArray dy) {
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), dy.shape());
        kernels.geluBackward(input, dy, inputGrad);
        return inputGrad;
    }
}
