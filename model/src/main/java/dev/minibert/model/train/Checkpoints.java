package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.io.AtomicFiles;
import dev.minibert.model.io.OwnEntries;
import dev.minibert.model.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's {@code checkpoints/checkpoint-N} folders, as a listener: one every {@code --save-every} steps and at the
 * last, each written atomically with the sha256 of its files and the run's {@link Fingerprint}, then the task's
 * evaluation of it; the oldest beyond {@code --keep-checkpoints} pruned. A resume restores the newest intact one.
 */
final class Checkpoints implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    private final Path folder;
    private final TrainingTask task;
    private final AdamW optimizer;
    private final TrainingLoop.Options options;
    private final Fingerprint fingerprint;
    private StepLog log;
    private Path last;

    Checkpoints(Path folder, TrainingTask task, AdamW optimizer, TrainingLoop.Options options, Fingerprint fingerprint) {
        this.folder = folder;
        this.task = task;
        this.optimizer = optimizer;
        this.options = options;
        this.fingerprint = fingerprint;
    }

    /** Where the task's evaluation rows go. */
    void evaluationsTo(StepLog log) {
        this.log = log;
    }

    /**
     * Deletes the temp folders ({@code .checkpoint-N.<pid>-<random>.tmp}) of checkpoint writes killed half-way, each
     * a whole model and optimizer copy. Called while the run holds its folder's lock, so no other process is
     * writing one: every such folder there is an abandoned one of minibert's.
     */
    void dropAbandonedTemps() throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.filter(p -> OwnEntries.isCheckpointTemp(p.getFileName().toString())).toList()) {
                LOG.info("deleting {}, left by a checkpoint write that was killed", p);
                AtomicFiles.deleteRecursively(p);
            }
        }
    }

    /** The newest checkpoint written or restored; null before either. */
    Path last() {
        return last;
    }

    @Override
    public void stepEnded(StepEnd end) throws IOException {
        long step = end.step();
        boolean due = options.saveEvery() > 0 && step % options.saveEvery() == 0;
        if (end.skipped() || !(due || end.last())) {
            return;
        }
        last = write(step);
        Map<String, Object> evaluation = new LinkedHashMap<>();
        evaluation.put("step", step);
        task.afterCheckpoint(step, last, evaluation);
        if (evaluation.size() > 1) {
            log.write(evaluation);
        }
    }

    private Path write(long step) throws IOException {
        Path dir = folder.resolve("checkpoint-" + step);
        Path tmp = Files.createDirectory(folder.resolve(AtomicFiles.uniqueName(".checkpoint-" + step + ".", ".tmp")));
        task.writeModel(tmp);
        optimizer.save(tmp.resolve("optimizer.safetensors"));
        if (String.valueOf(step).equals(System.getProperty(TrainingLoop.CRASH_PROPERTY))) {
            Runtime.getRuntime().halt(137); // simulate a kill mid-write: the temp dir is all that remains
        }
        new CheckpointState(step, options.totalSteps(), fingerprint).write(tmp);
        AtomicFiles.syncDirectory(tmp);
        if (Files.exists(dir)) { // ours: passed over by a resume from an earlier one (damaged, or named)
            List<Path> others = OwnEntries.deleteCheckpoint(dir, fileNames(tmp));
            if (!others.isEmpty()) {
                throw new IOException(dir + " holds files minibert did not write (" + others + "), so this run "
                        + "cannot write its checkpoint there; move them out and pass --resume");
            }
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(dir);
        AtomicFiles.syncDirectory(folder);
        prune(dir);
        return dir;
    }

    /** Deletes the oldest beyond --keep-checkpoints: only what minibert wrote in them (a user's file stays). */
    private void prune(Path newest) throws IOException {
        List<Path> all = folders();
        List<String> ours = fileNames(newest);
        for (int i = 0; i < all.size() - options.keepCheckpoints(); i++) {
            for (Path kept : OwnEntries.deleteCheckpoint(all.get(i), ours)) {
                LOG.warn("kept {} when pruning {}: minibert did not write it", kept, all.get(i).getFileName());
            }
        }
    }

    /** The names of the files of a checkpoint folder. */
    private static List<String> fileNames(Path checkpoint) throws IOException {
        try (Stream<Path> s = Files.list(checkpoint)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString()).toList();
        }
    }

    /**
     * Restores parameters, optimizer moments and task state from {@code checkpoint}, or from the newest intact one
     * when it is null; returns the step to continue from (0 when there is no checkpoint at all).
     */
    long resume(Path checkpoint) throws IOException {
        last = checkpoint != null ? checkpoint : newestIntact();
        return last == null ? 0 : restore(last);
    }

    /**
     * The newest checkpoint whose files match their recorded sha256, warning (one line naming the file)
     * about each newer one that does not; null when there is none at all. Temp folders of interrupted
     * writes never carry a checkpoint's name, so they are not considered.
     */
    private Path newestIntact() throws IOException {
        List<Path> all = folders();
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
            throw new IOException("no intact checkpoint under " + folder + " to resume from; start a new run "
                    + "in another --out");
        }
        return null;
    }

    private List<Path> folders() throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> OwnEntries.isCheckpoint(p.getFileName().toString()) && Files.isDirectory(p))
                    .sorted(Comparator.comparingLong(Checkpoints::stepOf))
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
            if (t == null || !Arrays.equals(t.shape(), p.shape())) {
                throw new IOException(checkpoint.resolve("model.safetensors") + ": tensor " + p.name()
                        + (t == null ? " is missing" : " has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(p.shape())));
            }
            p.value().assign(t.castTo(p.value().dataType()));
        }
        optimizer.restore(checkpoint.resolve("optimizer.safetensors"));
        task.restore(checkpoint);
        return step;
    }
}
