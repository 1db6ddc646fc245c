package dev.minibert.model.train;

import java.io.IOException;

/**
 * What happens around the {@link TrainingLoop}'s step without being part of it: logging, checkpoints, evaluation,
 * early stop. The loop calls every listener in the order they were added.
 */
interface TrainingListener {
    /** The step's gradients are complete and not yet clipped (per-layer norms are read here). */
    default void gradientsReady(long step) {
    }

    /** After the step {@code end.step()} was applied or skipped; may add to its row or ask the run to stop. */
    void stepEnded(StepEnd end) throws IOException;
}
