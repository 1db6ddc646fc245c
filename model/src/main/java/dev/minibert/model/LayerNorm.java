package dev.minibert.model;

import dev.minibert.model.kernels.LayerNormKernel;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm over the last axis of x [N,H] (HF's nn.LayerNorm, llm.c's layernorm_forward/backward):
 * <pre>
 *   mean = Σ_j x[j] / H,  var = Σ_j (x[j] − mean)² / H   (biased, as torch)
 *   rstd = 1 / sqrt(var + eps)
 *   xHat = (x − mean) · rstd
 *   y    = xHat · gamma + beta
 * </pre>
 * The model's {@link LayerNormKernel} computes the rows: the reference backend in double, the fast one in float
 * (rstd's 1/sqrt in double; the gamma/beta gradients' blocks added in double), as torch does for a float LayerNorm;
 * both store them in the array's type. xHat is
 * written only by a forward that keeps it for backward: under {@code BertModel.noGrad()} nothing reads it.
 */
public final class LayerNorm {
    private final Parameter gamma;
    private final Parameter beta;
    private final int hidden;
    private final double eps;
    private final LayerNormKernel kernel;
    private final Slot output;    // y [N,H]
    private final Slot xHat;      // [N,H], written only when kept for backward
    private final Slot inputGrad; // dx [N,H]
    private Kept kept;            // null after a forward that kept nothing
    private double[] rstd = new double[0];

    /** What backward reads: xHat [N,H] (over its slot) and rstd [N] (on the heap). */
    private record Kept(INDArray xHat, double[] rstd) {
    }

    public LayerNorm(ParameterStore store, String name, int hidden, double eps) {
        this.hidden = hidden;
        this.eps = eps;
        this.gamma = store.add(name + ".weight", hidden);
        this.beta = store.add(name + ".bias", hidden);
        this.kernel = store.kernels().layerNorm();
        this.output = Slot.forward(name + ".y", "N," + hidden);
        this.xHat = Slot.keptForBackward(name + ".xHat", "N," + hidden);
        this.inputGrad = Slot.backward(name + ".dx", "N," + hidden);
    }

    /**
     * The arrays it writes: y [N,H] and, when kept for backward, xHat [N,H] forward (rstd [N] is a double[]), dx [N,H]
     * backward.
     */
    List<Slot> slots() {
        return List.of(output, xHat, inputGrad);
    }

    /** Its output y [N,H]. */
    Slot outputSlot() {
        return output;
    }

    /** x: [N,H] → y [N,H], keeping xHat and rstd for {@link #backward}. */
    public INDArray forward(INDArray x) {
        return forward(x, true);
    }

    /**
     * x: [N,H] → y [N,H]; keepForBackward false (inference, {@code BertModel.noGrad()}): xHat is neither allocated
     * nor written and {@link #backward} refuses to run. y's bits are the same either way.
     */
    public INDArray forward(INDArray x, boolean keepForBackward) {
        if (x.rank() != 2 || x.columns() != hidden) {
            throw new IllegalArgumentException(gamma.name() + ": expected input [N," + hidden + "], got "
                    + Arrays.toString(x.shape()));
        }
        int n = (int) x.rows();
        INDArray y = output.array(x.dataType(), n, hidden);
        rstd = rstd.length == n ? rstd : new double[n];
        INDArray normalized = keepForBackward ? xHat.array(x.dataType(), n, hidden) : null;
        kept = null;
        kernel.forward(x, values(gamma), values(beta), eps, normalized, rstd, y);
        kept = keepForBackward ? new Kept(normalized, rstd) : null;
        return y;
    }

    /**
     * y [n,H] over forward's slot, to be written a range of rows at a time on the kernel threads by the returned
     * forward (gamma and beta read once, here): a frozen layer's rows, block by block ({@link FrozenLayerRows}). Like
     * a forward that keeps nothing, it leaves nothing for {@link #backward}. Called on the caller's thread.
     */
    Rows rows(int n) {
        kept = null;
        return new Rows(output.array(gamma.value().dataType(), n, hidden),
                kernel.rows(values(gamma), values(beta), eps));
    }

    /** {@link #rows}' output and its forward. */
    record Rows(INDArray output, LayerNormKernel.Rows kernel) {
        /** y's rows [from, to) from x's, both dense [N,H], on the calling thread: the bits of forward's rows. */
        void forward(INDArray x, int from, int to) {
            kernel.forward(x, output, from, to);
        }
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
        if (kept == null) {
            throw new IllegalStateException(gamma.name() + ": backward without a forward that kept xHat for it (a "
                    + "forward under noGrad() keeps none)");
        }
        INDArray dx = inputGrad.array(dy.dataType(), dy.rows(), hidden);
        double[] gammaGrad = new double[hidden];
        double[] betaGrad = new double[hidden];
        kernel.backward(dy, kept.xHat(), values(gamma), kept.rstd(), dx, gammaGrad, betaGrad);
        FlatView.of(gamma.grad()).add(gammaGrad);
        FlatView.of(beta.grad()).add(betaGrad);
        return dx;
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
