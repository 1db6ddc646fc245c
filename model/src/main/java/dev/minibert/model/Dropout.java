package dev.minibert.model;

import dev.minibert.model.kernels.DropoutMask;
import dev.minibert.model.kernels.Kernels;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout (HF's nn.Dropout): in training
 * <pre>
 *   y = x · keep / (1 − p),  keep ~ Bernoulli(1 − p) per element
 * </pre>
 * so evaluation is the identity; the backward applies the same mask to dy. Masks come from this instance's own
 * generator ({@link DropoutMask}), so a run is a pure function of the seeds given to {@link #reseed(long)}.
 */
public final class Dropout {
    private final double p;
    private final Kernels kernels;
    private final DropoutMask mask;
    private SplittableRandom random;
    private final Slot output;    // y, x's shape, written only when it drops
    private final Slot inputGrad; // dx, likewise
    private Kept kept;            // null when the last forward dropped nothing

    /** What backward reads: the mask over x's length elements (bit i: element i kept) and 1/(1−p) as x stores it. */
    private record Kept(long[] keep, long length, double scale) {
    }

    /** A dropout outside the encoder's memory plan, its shape undeclared. */
    public Dropout(double p, Kernels kernels) {
        this(p, kernels, "?");
    }

    /** shape: x's, in the legend's letters (e.g. "B,A,T,T"), for the memory plan. */
    Dropout(double p, Kernels kernels, String shape) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.kernels = kernels;
        this.mask = new DropoutMask(kernels);
        this.output = Slot.dropout("dropout.y", shape, Slot.Pass.FORWARD);
        this.inputGrad = Slot.dropout("dropout.dx", shape, Slot.Pass.BACKWARD);
        reseed(0);
    }

    /** Its output y: what an owner declares {@link Slot#passedOn()} where it is. */
    Slot outputSlot() {
        return output;
    }

    /** The arrays it writes when it drops: y forward, dx backward; none at p = 0. */
    List<Slot> slots() {
        return p > 0 ? List.of(output, inputGrad) : List.of();
    }

    /** As {@link #slots()} for an owner that calls {@link #forwardAdding} only: dx, no y. */
    List<Slot> slotsWhenAdding() {
        return p > 0 ? List.of(inputGrad) : List.of();
    }

    public void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    public double p() {
        return p;
    }

    /** Returns x itself when not training (or p = 0); otherwise draws a fresh mask and applies it. */
    public INDArray forward(INDArray x, boolean training) {
        if (!(training && p > 0)) {
            kept = null;
            return x;
        }
        INDArray y = output.array(x.dataType(), x.shape());
        kept = drawMask(x, y);
        kernels.applyMask(x, kept.keep(), kept.scale(), y);
        return y;
    }

    /**
     * into = {@link #forward}(x, training) + residual in one pass (its y never written): the same bits as the two
     * steps, one memory pass fewer for a residual block. Its output slot is then not written: see
     * {@link #slotsWhenAdding}.
     */
    public void forwardAdding(INDArray x, INDArray residual, INDArray into, boolean training) {
        if (!(training && p > 0)) {
            kept = null;
            kernels.sum(x, residual, into);
            return;
        }
        kept = drawMask(x, into);
        kernels.applyMaskAdding(x, kept.keep(), kept.scale(), residual, into);
    }

    /** A fresh mask over x, and 1/(1 − p) as out stores it: the product x·scale rounded once, as out's type would. */
    private Kept drawMask(INDArray x, INDArray out) {
        return new Kept(mask.draw(random, x.length(), p), x.length(), FlatView.of(out).stored(1 / (1 - p)));
    }

    /** dy → dx = dy · keep / (1 − p), the forward's mask. */
    public INDArray backward(INDArray dy) {
        if (kept == null) {
            return dy;
        }
        if (dy.length() != kept.length()) {
            throw new IllegalArgumentException("dropout backward: dy has " + dy.length() + " elements, the forward had "
                    + kept.length());
        }
        INDArray dx = inputGrad.array(dy.dataType(), dy.shape());
        kernels.applyMask(dy, kept.keep(), kept.scale(), dx);
        return dx;
    }
}
