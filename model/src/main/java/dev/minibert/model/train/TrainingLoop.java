package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.AtomicFiles;
import dev.minibert.model.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop shared by pretraining and finetuning: schedule, gradient accumulation, global-norm
 * clipping, a guard against non-finite steps, AdamW, JSONL metrics with per-layer gradient norms and
 * LayerNorm gammas, and atomic checkpoints ({@code out/checkpoints/checkpoint-N}) that resume exactly:
 * each records the sha256 of its files and the run's {@link Fingerprint}; a resume skips damaged ones
 * and refuses a run whose trajectory options changed.
 */
public final class TrainingLoop {
    /** System property: a step number whose checkpoint write halts the JVM half-way (kill-and-resume tests). */
    public static final String CRASH_PROPERTY = "minibert.crashDuringCheckpoint";
    /** System property: a step number whose metrics row is written half-way before the JVM halts. */
    public static final String CRASH_METRICS_PROPERTY = "minibert.crashDuringMetrics";
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

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
    private final Path checkpoints;
    private Consumer<Map<String, Object>> listener = m -> { };
    private Fingerprint fingerprint = new Fingerprint();
    private StepGradient gradient = this::accumulate;

    public TrainingLoop(TrainingTask task, AdamW optimizer, LinearWarmupDecay schedule, Options options, Path out) {
        this.task = task;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.options = options;
        this.out = out;
        this.checkpoints = out.resolve("checkpoints");
    }

    /** Receives every metrics row (progress bars, logs). */
    public TrainingLoop onMetrics(Consumer<Map<String, Object>> listener) {
        this.listener = listener;
        return this;
    }

    /** Computes each step's gradient in another way than this loop's micro-batch by micro-batch accumulation. */
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
        return out.resolve("metrics.jsonl");
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
        Files.createDirectories(checkpoints);
        long start = 0;
        Path last = null;
        if (resume) {
            last = checkpoint != null ? checkpoint : newestIntactCheckpoint();
            if (last != null) {
                start = restore(last);
            }
        }
        MetricsLog.cutBack(metricsFile(), start);
        ParameterStore store = task.store();
        int bad = 0;
        int skipped = 0;
        double lastLoss = Double.NaN;
        boolean stoppedEarly = false;
        long step = start;
        try (MetricsLog metrics = new MetricsLog(metricsFile())) {
            while (step < options.totalSteps()) {
                long t0 = System.nanoTime();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("step", step + 1);
                double loss = gradient.compute(step, row);
                boolean logDue = (step + 1) % options.logEvery() == 0 || step + 1 == options.totalSteps();
                // per-layer norms before clipping, only for the rows that are logged
                Map<String, Double> groupNorms = logDue ? GradientProbe.groupNorms(store) : null;
                double norm = options.maxGradNorm() > 0
                        ? new GlobalNormClipper(options.maxGradNorm()).clip(store) : GradientProbe.globalNorm(store);
                double lr = schedule.lr(step);
                row.put("loss", loss);
                row.put("lr", lr);
                row.put("grad_norm", norm);
                step++;
                if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                    // never update from, or checkpoint, a non-finite state
                    store.zeroGrad();
                    skipped++;
                    row.put("skipped", !Double.isFinite(loss) ? "non-finite loss" : "non-finite gradient");
                    metrics.write(row);
                    listener.accept(row);
                    if (++bad >= options.maxBadSteps()) {
                        throw new DivergedException(step, bad);
                    }
                    continue;
                }
                bad = 0;
                optimizer.step(store, lr);
                lastLoss = loss;
                int keysBefore = row.size();
                boolean keepGoing = task.afterStep(step, row);
                boolean taskReported = row.size() > keysBefore; // e.g. epoch-end dev metrics: always logged
                double seconds = (System.nanoTime() - t0) / 1e9;
                row.put("step_seconds", seconds);
                if (row.get("tokens") instanceof Number tokens) {
                    row.put("tokens_per_s", tokens.doubleValue() / seconds);
                }
                if (logDue || taskReported || !keepGoing) {
                    row.put("grad_norms", groupNorms != null ? groupNorms : GradientProbe.groupNorms(store));
                    row.put("layer_norm_gamma", gammaStats(store));
                    metrics.write(row);
                }
                listener.accept(row);
                boolean due = options.saveEvery() > 0 && step % options.saveEvery() == 0;
                if (due || step == options.totalSteps() || !keepGoing) {
                    last = checkpoint(step);
                    Map<String, Object> evalRow = new LinkedHashMap<>();
                    evalRow.put("step", step);
                    task.afterCheckpoint(step, last, evalRow);
                    if (evalRow.size() > 1) {
                        metrics.write(evalRow);
                        listener.accept(evalRow);
                    }
                }
                if (!keepGoing) {
                    stoppedEarly = true;
                    break;
                }
            }
        }
        return new Result(step, lastLoss, stoppedEarly, skipped, last);
    }

    /** The step's micro-batches one after another, each adding its share into the gradients. */
    private double accumulate(long step, Map<String, Object> row) {
        task.store().zeroGrad();
        double loss = 0;
        for (int micro = 0; micro < options.accumulation(); micro++) {
            loss += task.forwardBackward(step, micro, 1.0 / options.accumulation(), row) / options.accumulation();
        }
        return loss;
    }

    private static Map<String, Object> gammaStats(ParameterStore store) {
        Map<String, Object> stats = new LinkedHashMap<>();
        LayerNormProbe.gammaStats(store).forEach((name, s) -> stats.put(name,
                Map.of("mean", s.mean(), "min", s.min(), "max", s.max(), "std", s.std())));
        return stats;
    }

    private Path checkpoint(long step) throws IOException {
        Path dir = checkpoints.resolve("checkpoint-" + step);
        Path tmp = Files.createDirectory(
                checkpoints.resolve(AtomicFiles.uniqueName(".checkpoint-" + step + ".", ".tmp")));
        task.writeModel(tmp);
        optimizer.save(tmp.resolve("optimizer.safetensors"));
        if (String.valueOf(step).equals(System.getProperty(CRASH_PROPERTY))) {
            Runtime.getRuntime().halt(137); // simulate a kill mid-write: the temp dir is all that remains
        }
        new CheckpointState(step, options.totalSteps(), fingerprint).write(tmp);
        AtomicFiles.syncDirectory(tmp);
        AtomicFiles.deleteRecursively(dir); // ours: passed over by a resume from an earlier one (damaged, or named)
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(dir);
        AtomicFiles.syncDirectory(checkpoints);
        prune();
        return dir;
    }

    private void prune() throws IOException {
        List<Path> all = checkpointFolders();
        for (int i = 0; i < all.size() - options.keepCheckpoints(); i++) {
            AtomicFiles.deleteRecursively(all.get(i));
        }
    }

    /**
     * The newest checkpoint whose files match their recorded sha256, warning (one line naming the file)
     * about each newer one that does not; null when there is none at all. Temp folders of interrupted
     * writes never carry a checkpoint's name, so they are not considered.
     */
    private Path newestIntactCheckpoint() throws IOException {
        List<Path> all = checkpointFolders();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                CheckpointState.verify(all.get(i));
                return all.get(i);
            } catch (IOException damaged) {
                LOG.warn("{}; {}", damaged.getMessage(), i > 0 ? "falling back to " + all.get(i - 1).getFileName()
                        : "no older checkpoint");
            }
        }
        if (!all.isEmpty()) {
            throw new IOException("no intact checkpoint under " + checkpoints + " to resume from; start a new run "
                    + "in another --out");
        }
        return null;
    }

    private List<Path> checkpointFolders() throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(checkpoints)) {
            return s.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+") && Files.isDirectory(p))
                    .sorted(Comparator.comparingLong(TrainingLoop::stepOf))
                    .toList();
        }
    }

    private static long stepOf(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring("checkpoint-".length()));
    }

    private long restore(Path checkpoint) throws IOException {
        CheckpointState state = CheckpointState.verify(checkpoint);
        Path stateFile = checkpoint.resolve(CheckpointState.FILE);
        fingerprint.requireSameAs(state.fingerprint(), stateFile);
        long step = state.step();
        LOG.info("resuming from {} (step {})", checkpoint, step);
        if (step < 0 || step > options.totalSteps()) {
            throw new IllegalArgumentException("--resume: " + stateFile + " is at step " + step + ", beyond this run's "
                    + options.totalSteps() + " steps (the number of steps may grow on resume, not shrink below it)");
        }
        Map<String, INDArray> tensors = SafeTensors.read(checkpoint.resolve("model.safetensors"));
        for (Parameter p : task.store()) {
            INDArray t = tensors.get(p.name());
            if (t == null || !java.util.Arrays.equals(t.shape(), p.shape())) {
                throw new IOException(checkpoint.resolve("model.safetensors") + ": tensor " + p.name()
                        + (t == null ? " is missing" : " has shape " + java.util.Arrays.toString(t.shape())
                        + ", expected " + java.util.Arrays.toString(p.shape())));
            }
            p.value().assign(t.castTo(p.value().dataType()));
        }
        optimizer.restore(checkpoint.resolve("optimizer.safetensors"));
        task.restore(checkpoint);
        return step;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
