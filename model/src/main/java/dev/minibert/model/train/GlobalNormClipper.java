package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;

/** torch's clip_grad_norm_: scale all gradients by max/(norm + 1e-6) when the global L2 norm exceeds max. */
public final class GlobalNormClipper {
    private final double maxNorm;

    public GlobalNormClipper(double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max gradient norm must be > 0, got " + maxNorm);
        }
        this.maxNorm = maxNorm;
    }

    /** Returns the pre-clip global norm; a non-finite norm leaves the gradients for the caller's guard. */
    public double clip(ParameterStore store) {
        double norm = GradientProbe.globalNorm(store);
        double coef = maxNorm / (norm + 1e-6);
        if (Double.isFinite(norm) && coef < 1) {
            for (Parameter p : store) {
                p.grad().muli(coef);
            }
        }
        return norm;
    }
}
