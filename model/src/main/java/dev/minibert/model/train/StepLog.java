package dev.minibert.model.train;

import dev.minibert.model.ParameterStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Logging as a listener: every {@code --log-every} steps, at the last step and whenever the task reported
 * something, the step's row with its wall-clock time, per-layer gradient norms (before clipping) and LayerNorm
 * gammas goes to {@code metrics.jsonl}; every row, and every skipped step's, goes to the progress listener.
 */
final class StepLog implements TrainingListener {
    private final MetricsLog metrics;
    private final ParameterStore store;
    private final TrainingLoop.Options options;
    private final Consumer<Map<String, Object>> progress;
    private Map<String, Double> groupNorms; // before clipping, only for the rows that are logged

    StepLog(MetricsLog metrics, ParameterStore store, TrainingLoop.Options options,
            Consumer<Map<String, Object>> progress) {
        this.metrics = metrics;
        this.store = store;
        this.options = options;
        this.progress = progress;
    }

    private boolean due(long step) {
        return step % options.logEvery() == 0 || step == options.totalSteps();
    }

    @Override
    public void gradientsReady(long step) {
        groupNorms = due(step + 1) ? GradientProbe.groupNorms(store) : null;
    }

    @Override
    public void stepEnded(StepEnd end) throws IOException {
        Map<String, Object> row = end.row();
        if (end.skipped()) {
            write(row);
            return;
        }
        double seconds = (System.nanoTime() - end.startNanos()) / 1e9;
        row.put("step_seconds", seconds);
        if (row.get("tokens") instanceof Number tokens) {
            row.put("tokens_per_s", tokens.doubleValue() / seconds);
        }
        if (due(end.step()) || end.reported() || end.stopRequested()) {
            row.put("grad_norms", groupNorms != null ? groupNorms : GradientProbe.groupNorms(store));
            row.put("layer_norm_gamma", gammaStats(store));
            metrics.write(row);
        }
        progress.accept(row);
    }

    /** A row that is always logged (a skipped step, an evaluation). */
    void write(Map<String, Object> row) throws IOException {
        metrics.write(row);
        progress.accept(row);
    }

    private static Map<String, Object> gammaStats(ParameterStore store) {
        Map<String, Object> stats = new LinkedHashMap<>();
        LayerNormProbe.gammaStats(store).forEach((name, s) -> {
            Map<String, Object> stat = new LinkedHashMap<>(); // ordered, so that rows compare as text
            stat.put("mean", s.mean());
            stat.put("min", s.min());
            stat.put("max", s.max());
            stat.put("std", s.std());
            stats.put(name, stat);
        });
        return stats;
    }
}
