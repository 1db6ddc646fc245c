package dev.minibert.model.train;

import java.util.Map;

/**
 * One step as the {@link TrainingListener}s see it once it is over: its number (1-based), its metrics row, whether
 * the guard skipped it, when it began, and what the listeners decided so far.
 */
final class StepEnd {
    private final long step;
    private final Map<String, Object> row;
    private final boolean skipped;
    private final boolean last;
    private final long startNanos;
    private boolean stop;
    private boolean reported;

    StepEnd(long step, Map<String, Object> row, boolean skipped, boolean last, long startNanos) {
        this.step = step;
        this.row = row;
        this.skipped = skipped;
        this.last = last;
        this.startNanos = startNanos;
    }

    long step() {
        return step;
    }

    Map<String, Object> row() {
        return row;
    }

    /** {@link System#nanoTime()} when the step began. */
    long startNanos() {
        return startNanos;
    }

    /** The step's update was skipped (non-finite loss or gradient): nothing to log but the row, nothing to save. */
    boolean skipped() {
        return skipped;
    }

    /** The run's final step, or a listener asked to stop after this one. */
    boolean last() {
        return last || stop;
    }

    boolean stopRequested() {
        return stop;
    }

    void requestStop() {
        stop = true;
    }

    /** A listener put figures in the row that must be logged whatever --log-every says (e.g. epoch-end dev metrics). */
    boolean reported() {
        return reported;
    }

    void markReported() {
        reported = true;
    }
}
