package dev.minibert.model.train;

import dev.minibert.model.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the {@link TrainingLoop} trains. A task must derive every random choice of a step (data order,
 * masking, dropout) from the step number and its seed, so that a run resumed from a checkpoint that
 * holds only parameters, optimizer moments and the step reproduces the uninterrupted run bit for bit.
 */
public interface TrainingTask {
    ParameterStore store();

    /**
     * Forward and backward of micro-batch {@code micro} of optimizer step {@code step} (both 0-based);
     * adds {@code scale}·dLoss/dθ into the gradients and returns the unscaled loss.
     * Task-specific figures of the step (e.g. masked accuracy, tokens) go into {@code metrics}.
     */
    double forwardBackward(long step, int micro, double scale, Map<String, Object> metrics);

    /** Writes the model as a HuggingFace-style folder's files into the existing, empty {@code dir}. */
    void writeModel(Path dir) throws IOException;

    /** Called after each optimizer step, before logging; returns false to stop training early. */
    default boolean afterStep(long step, Map<String, Object> metrics) {
        return true;
    }

    /** Restores task state (beyond parameters and optimizer) that {@link #writeModel} saved into a checkpoint. */
    default void restore(Path checkpoint) throws IOException {
    }

    /** Called after a checkpoint was written (e.g. to evaluate held-out data); may add metrics. */
    default void afterCheckpoint(long step, Path checkpoint, Map<String, Object> metrics) throws IOException {
    }
}
