package dev.minibert.model.train;

/** Training stopped after too many consecutive non-finite steps. */
public final class DivergedException extends RuntimeException {
    public DivergedException(long step, int consecutive) {
        super("training diverged: " + consecutive + " consecutive non-finite steps up to step " + step
                + " (no update was applied from them; lower the learning rate or raise --max-bad-steps)");
    }
}
