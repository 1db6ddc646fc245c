package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import java.util.List;
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
    private final Slot output;    // y, x's shape
    private final Slot inputGrad; // dx, likewise
    private INDArray input;       // x, kept for backward

    /** A GELU outside the encoder's memory plan, its shape undeclared. */
    public Gelu(Kernels kernels) {
        this(kernels, "?");
    }

    /** shape: x's, in the legend's letters (e.g. "N,I"), for the memory plan. */
    Gelu(Kernels kernels, String shape) {
        this.kernels = kernels;
        this.output = Slot.forward("gelu.y", shape);
        this.inputGrad = Slot.backward("gelu.dx", shape);
    }

    /** The arrays it writes: y forward, dx backward. */
    List<Slot> slots() {
        return List.of(output, inputGrad);
    }

    /** Its output y: the memory plan may put it over x's memory where no backward follows (y[i] reads x[i] only). */
    Slot outputSlot() {
        return output;
    }

    /** x: any shape → y of its shape (x itself allowed); x is kept for backward and must not change before it. */
    public INDArray forward(INDArray x) {
        input = x;
        INDArray y = output.array(x.dataType(), x.shape());
        kernels.gelu(x, y);
        return y;
    }

    /** dy → dx = dy · (Φ(x) + x·φ(x)). */
    public INDArray backward(INDArray dy) {
        INDArray dx = inputGrad.array(dy.dataType(), dy.shape());
        kernels.geluBackward(input, dy, dx);
        return dx;
    }
}
