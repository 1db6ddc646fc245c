package dev.minibert.cli;

import java.util.Map;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar with loss and ETA on a terminal; plain log lines on stderr when output is redirected. */
final class TrainingProgress implements Consumer<Map<String, Object>>, AutoCloseable {
    private final ProgressBar bar; // null when not on a terminal
    private final int logEvery;

    TrainingProgress(String task, long totalSteps, int logEvery) {
        this.logEvery = logEvery;
        this.bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName(task)
                .setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII).build();
    }

    @Override
    public void accept(Map<String, Object> row) {
        long step = ((Number) row.get("step")).longValue();
        Object loss = row.get("loss");
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
            System.err.println(line);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
