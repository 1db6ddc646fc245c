package dev.minibert.model.train;

import java.util.Map;

/**
 * How the {@link TrainingLoop} gets an optimizer step's gradient: the mean of dLoss/dθ over the step's
 * micro-batches, left in the store's {@code grad()} arrays. The loop's own one runs them here, one after another;
 * a distributed one (module distributed) has them run elsewhere and sums the shares it gets back.
 */
@FunctionalInterface
public interface StepGradient {
    /** Zeroes the gradients, fills them with step {@code step}'s (0-based) and returns its mean loss. */
    double compute(long step, Map<String, Object> metrics);
}
