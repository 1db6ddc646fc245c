package dev.minibert.model.train;

/**
 * A metrics listener that also wants a run's total optimizer steps, known only once the data is read (with
 * {@code --epochs}): progress bars use it for their ETA. {@link TrainingLoop#onMetrics} tells it before the first step.
 */
public interface TotalStepsListener {
    void totalSteps(long total);
}
