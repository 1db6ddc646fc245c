package dev.minibert.model;

import dev.minibert.model.kernels.DropoutMask;
import dev.minibert.model.kernels.Kernels;
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
    private final DropoutMask mask = new DropoutMask();
    private SplittableRandom random;
    private long[] keep;       // the last forward's mask, kept for backward
    private double keptScale;  // 1/(1-p) as the last forward's array type stores it
    private boolean applied;   // whether the last forward dropped anything
    private long length;
    private INDArray output;
    private INDArray inputGrad;

    public Dropout(double p, Kernels kernels) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.kernels = kernels;
        reseed(0);
    }

    public void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    public double p() {
        return p;
    }

    /** Returns x itself when not training (or p = 0); otherwise draws a fresh mask and applies it. */
    public INDArray forward(INDArray x, boolean training) {
        applied = training && p > 0;
        if (!applied) {
            return x;
        }
        length = x.length();
        output = Scratch.reuse(output, x.dataType(), x.shape());
        keep = mask.draw(random, length, p);
        // the product x·scale rounded once, as a multiply in the array's own type would round it
        keptScale = FlatView.of(output).stored(1 / (1 - p));
        kernels.applyMask(x, keep, keptScale, output);
        return output;
    }

    /** dy → dx = dy · keep / (1 − p), the forward's mask. */
    public INDArray backward(INDArray dy) {
        if (!applied) {
            return dy;
        }
        if (dy.length() != length) {
            throw new IllegalArgumentException("dropout backward: dy has " + dy.length() + " elements, the forward had "
                    + length);
        }
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), dy.shape());
        kernels.applyMask(dy, keep, keptScale, inputGrad);
        return inputGrad;
    }
}
