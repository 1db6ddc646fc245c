package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;

/** torch {@code clip_grad_norm_}: scales all gradients together so their global L2 norm is at most maxNorm. */
public final class GlobalNormClipper {
    private final double maxNorm;

    public GlobalNormClipper(double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("max norm must be finite and > 0, got " + maxNorm);
        }
        this.maxNorm = maxNorm;
    }

    /**
     * @return the global gradient norm before clipping; when it is not finite the gradients are left
     *         alone for the caller's NaN guard to skip the step
     */
    public double clip(ParameterStore store) {
        double norm = GradientProbe.globalNorm(store);
        if (!Double.isFinite(norm)) {
            return norm;
        }
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            for (Parameter p : store) {
                p.grad().muli(coef);
            }
        }
        return norm;
    }
}
