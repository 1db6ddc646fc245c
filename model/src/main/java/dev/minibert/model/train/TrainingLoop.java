package dev.minibert.model.train;

import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.OwnEntries;
import dev.minibert.model.io.RunLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The loop shared by pretraining and finetuning. {@link #step} is one optimizer step top to bottom: the step's
 * gradient (a {@link StepGradient}: here the task's micro-batches forward and backward, gradient accumulation),
 * global-norm clipping, a guard against non-finite steps, the AdamW update at the schedule's learning rate. Around it, as {@link TrainingListener}s: the task's own
 * (evaluation, early stop), {@link StepLog} (JSONL metrics with per-layer gradient norms and LayerNorm gammas) and
 * {@link Checkpoints} (atomic {@code out/checkpoints/checkpoint-N} folders that resume exactly: each records the
 * sha256 of its files and the run's {@link Fingerprint}; a resume skips damaged ones and refuses a run whose
 * trajectory options changed). After too many non-finite steps in a row the run ends with {@link DivergedException}.
 */
public final class TrainingLoop {
    /** System property: a step number whose checkpoint write halts the JVM half-way (kill-and-resume tests). */
    public static final String CRASH_PROPERTY = "minibert.crashDuringCheckpoint";
    /** System property: a step number whose metrics row is written half-way before the JVM halts. */
    public static final String CRASH_METRICS_PROPERTY = "minibert.crashDuringMetrics";

    public record Options(long totalSteps, int accumulation, double maxGradNorm, int logEvery, int saveEvery,
                          int keepCheckpoints, int maxBadSteps) {
        public Options {
            require(totalSteps >= 1, "total steps must be at least 1, got " + totalSteps);
            require(accumulation >= 1, "gradient accumulation must be at least 1, got " + accumulation);
            require(logEvery >= 1, "--log-every must be at least 1, got " + logEvery);
            require(saveEvery >= 0, "--save-every must be >= 0 (0 = only at the end), got " + saveEvery);
            require(keepCheckpoints >= 1, "keep at least 1 checkpoint, got " + keepCheckpoints);
            require(maxBadSteps >= 1, "--max-bad-steps must be at least 1, got " + maxBadSteps);
        }
    }

    public record Result(long steps, double lastLoss, boolean stoppedEarly, int skippedSteps, Path lastCheckpoint) {
    }

    private final TrainingTask task;
    private final AdamW optimizer;
    private final LinearWarmupDecay schedule;
    private final Options options;
    private final Path out;
    private Consumer<Map<String, Object>> progress = m -> { };
    private Fingerprint fingerprint = new Fingerprint();
    private StepGradient gradient = this::microBatches;

    public TrainingLoop(TrainingTask task, AdamW optimizer, LinearWarmupDecay schedule, Options options, Path out) {
        this.task = task;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.options = options;
        this.out = out;
    }

    /** Receives every metrics row (progress bars, logs); a {@link TotalStepsListener} first hears the run's steps. */
    public TrainingLoop onMetrics(Consumer<Map<String, Object>> progress) {
        this.progress = progress;
        if (progress instanceof TotalStepsListener t) {
            t.totalSteps(options.totalSteps());
        }
        return this;
    }

    /** Computes each step's gradient another way than {@link #microBatches} here (module distributed: on workers). */
    public TrainingLoop stepGradient(StepGradient gradient) {
        this.gradient = gradient;
        return this;
    }

    /** The options that decide the trajectory: recorded in every checkpoint, compared on resume. */
    public TrainingLoop fingerprint(Fingerprint fingerprint) {
        this.fingerprint = fingerprint;
        return this;
    }

    public Path metricsFile() {
        return metricsFile(out);
    }

    private static Path metricsFile(Path out) {
        return out.resolve(OwnEntries.METRICS);
    }

    /** A run directory that already holds metrics is continued with --resume, never silently overwritten. */
    public static void refuseToOverwrite(Path out, boolean resume) {
        if (!resume && Files.exists(metricsFile(out))) {
            throw new IllegalArgumentException(out + " already holds a run (metrics.jsonl); pass --resume to continue it "
                    + "or choose another --out");
        }
    }

    /** Trains from step 0, or from the newest intact checkpoint under {@code out} when {@code resume} is set. */
    public Result run(boolean resume) throws IOException {
        return run(resume, null);
    }

    /**
     * As {@link #run(boolean)}; with {@code resume} and a {@code checkpoint} folder, continues from that
     * one (which must be intact) instead of the newest intact one.
     */
    public Result run(boolean resume, Path checkpoint) throws IOException {
        refuseToOverwrite(out, resume);
        Path folder = Files.createDirectories(out.resolve("checkpoints"));
        try (RunLock lock = RunLock.acquire(out)) { // the run's own (Pretraining and Finetuning hold it already)
            Checkpoints checkpoints = new Checkpoints(folder, task, optimizer, options, fingerprint);
            checkpoints.dropAbandonedTemps();
            return run(resume ? checkpoints.resume(checkpoint) : 0, checkpoints);
        }
    }

    /** The steps from {@code step} on, while this process holds the run's lock. */
    private Result run(long step, Checkpoints checkpoints) throws IOException {
        MetricsLog.cutBack(metricsFile(), step);
        int skipped = 0;
        int bad = 0;
        double lastLoss = Double.NaN;
        try (MetricsLog metrics = new MetricsLog(metricsFile())) {
            StepLog log = new StepLog(metrics, task.store(), options, progress);
            checkpoints.evaluationsTo(log);
            List<TrainingListener> listeners = List.of(this::askTask, log, checkpoints);
            while (step < options.totalSteps()) {
                long start = System.nanoTime();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("step", step + 1);
                boolean applied = step(step, row, listeners);
                step++;
                StepEnd end = new StepEnd(step, row, !applied, step == options.totalSteps(), start);
                for (TrainingListener l : listeners) {
                    l.stepEnded(end);
                }
                if (!applied) {
                    skipped++;
                    if (++bad >= options.maxBadSteps()) {
                        throw new DivergedException(step, bad);
                    }
                    continue;
                }
                bad = 0;
                lastLoss = (double) row.get("loss");
                if (end.stopRequested()) {
                    return new Result(step, lastLoss, true, skipped, checkpoints.last());
                }
            }
        }
        return new Result(step, lastLoss, false, skipped, checkpoints.last());
    }

    /**
     * One optimizer step, all of it: the step's mean gradient (by default {@link #microBatches}), clipping to
     * {@code --max-grad-norm}, the guard that skips a non-finite step, then the AdamW update at the schedule's
     * learning rate. Returns whether the update was applied.
     */
    private boolean step(long step, Map<String, Object> row, List<TrainingListener> listeners) {
        ParameterStore store = task.store();
        double loss = gradient.compute(step, row);
        listeners.forEach(l -> l.gradientsReady(step));
        double gradNorm = options.maxGradNorm() > 0
                ? new GlobalNormClipper(options.maxGradNorm()).clip(store) : GradientProbe.globalNorm(store);
        double lr = schedule.lr(step);
        row.put("loss", loss);
        row.put("lr", lr);
        row.put("grad_norm", gradNorm);
        if (!Double.isFinite(loss) || !Double.isFinite(gradNorm)) {
            store.zeroGrad(); // never update from, or checkpoint, a non-finite state
            row.put("skipped", !Double.isFinite(loss) ? "non-finite loss" : "non-finite gradient");
            return false;
        }
        optimizer.step(store, lr);
        return true;
    }

    /**
     * The {@link StepGradient} of one machine: the task's micro-batches of this step forward and backward, one after
     * another, each adding its gradients scaled by 1/accumulation into the store.
     */
    private double microBatches(long step, Map<String, Object> row) {
        task.store().zeroGrad();
        int micros = options.accumulation();
        double loss = 0;
        for (int micro = 0; micro < micros; micro++) {
            loss += task.forwardBackward(step, micro, 1.0 / micros, row) / micros;
        }
        return loss;
    }

    /** The task's own listener: e.g. dev evaluation at an epoch's end, which may stop the run early. */
    private void askTask(StepEnd end) {
        if (end.skipped()) {
            return;
        }
        int keysBefore = end.row().size();
        if (!task.afterStep(end.step(), end.row())) {
            end.requestStop();
        }
        if (end.row().size() > keysBefore) {
            end.markReported();
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
