package dev.minibert.cli;

import dev.minibert.model.train.TotalStepsListener;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with loss and ETA on a terminal; plain log lines on stderr when output is redirected, with an ETA
 * once the total is known (from --max-steps, or from the run itself when it counts --epochs over the data).
 */
final class TrainingProgress implements Consumer<Map<String, Object>>, TotalStepsListener, AutoCloseable {
    private final ProgressBar bar; // null when not on a terminal
    private final int logEvery;
    private final PrintStream log;
    private final LongSupplier nanoClock;
    private long total;
    private long firstStep = -1; // the rate counts from the first step seen, so a resumed run's ETA is its own
    private long firstNanos;

    TrainingProgress(String task, long totalSteps, int logEvery) {
        this(System.console() == null ? null : new ProgressBarBuilder().setTaskName(task)
                .setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII).build(), totalSteps, logEvery, System.err,
                System::nanoTime);
    }

    TrainingProgress(ProgressBar bar, long totalSteps, int logEvery, PrintStream log, LongSupplier nanoClock) {
        this.bar = bar;
        this.total = totalSteps;
        this.logEvery = logEvery;
        this.log = log;
        this.nanoClock = nanoClock;
    }

    @Override
    public void totalSteps(long steps) {
        total = steps;
        if (bar != null) {
            bar.maxHint(steps);
        }
    }

    @Override
    public void accept(Map<String, Object> row) {
        long step = ((Number) row.get("step")).longValue();
        Object loss = row.get("loss");
        if (firstStep < 0) {
            firstStep = step;
            firstNanos = nanoClock.getAsLong();
        }
        if (bar != null) {
            bar.stepTo(step);
            if (loss != null) {
                bar.setExtraMessage(String.format(" loss %.4f", ((Number) loss).doubleValue()));
            }
        } else if (loss == null || step % logEvery == 0) {
            StringBuilder line = new StringBuilder();
            row.forEach((k, v) -> {
                if (!(v instanceof Map)) {
                    line.append(line.length() == 0 ? "" : " ").append(k).append('=')
                            .append(v instanceof Double d ? String.format("%.5g", d) : v);
                }
            });
            if (total > 0 && step > firstStep && step <= total) {
                double secondsPerStep = (nanoClock.getAsLong() - firstNanos) / 1e9 / (step - firstStep);
                line.append(" eta=").append(duration(Math.round(secondsPerStep * (total - step))));
            }
            log.println(line);
        }
    }

    /** 1h02m, 3m05s, 42s. */
    static String duration(long seconds) {
        if (seconds >= 3600) {
            return String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return seconds >= 60 ? String.format("%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
