package dev.minibert.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Deletes an entry minibert wrote ({@code --overwrite}) file by file, never a folder wholesale: a folder loses only
 * what minibert knows it wrote there, and stays, with whatever else it holds, when that is not all. What minibert
 * wrote in a folder is read from the folder itself: its {@link OutputMarker}, a checkpoint's
 * {@value #CHECKPOINT_STATE} (the sha256 of each of its files), or the fixed layout of a training run
 * ({@value #METRICS}, {@code checkpoints/checkpoint-N}, a checkpoint write's temp folder).
 */
public final class OwnEntries {
    /** A checkpoint's state file, naming every file of the checkpoint (written by {@code train.CheckpointState}). */
    public static final String CHECKPOINT_STATE = "trainer_state.json";
    /** A training run's metrics, one JSON line a row (written by {@code train.TrainingLoop}). */
    public static final String METRICS = "metrics.jsonl";
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-\\d+");
    /** A checkpoint write's temp folder, {@code .checkpoint-N.<pid>-<random hex>.tmp} ({@link AtomicFiles#uniqueName}). */
    private static final Pattern CHECKPOINT_TEMP = Pattern.compile("\\.checkpoint-\\d+\\.\\d+-[0-9a-f]+\\.tmp");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Path> kept = new ArrayList<>();

    /** The entries found inside minibert's folders that minibert did not write, left where they were. */
    List<Path> kept() {
        return kept;
    }

    OwnEntries() {
    }

    /** Whether {@code name} is a checkpoint folder's name, {@code checkpoint-N}. */
    public static boolean isCheckpoint(String name) {
        return CHECKPOINT.matcher(name).matches();
    }

    /** Whether {@code name} is a checkpoint write's temp folder name: only minibert makes one. */
    public static boolean isCheckpointTemp(String name) {
        return CHECKPOINT_TEMP.matcher(name).matches();
    }

    /** Deletes {@code entry}, which minibert wrote; of a folder only what minibert wrote in it, then the folder if empty. */
    void delete(Path entry) throws IOException {
        if (!Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(entry);
        } else if (Files.isRegularFile(entry.resolve(CHECKPOINT_STATE), LinkOption.NOFOLLOW_LINKS)) {
            deleteNamed(entry, checkpointFiles(entry));
        } else if (Files.isRegularFile(entry.resolve(OutputMarker.FILE), LinkOption.NOFOLLOW_LINKS)) {
            deleteMarked(entry);
        } else {
            deleteRunLayout(entry);
        }
    }

    /**
     * Deletes the checkpoint folder {@code dir} minibert wrote (an old one pruned, or one a resume passed over and
     * a new write replaces): the files its {@value #CHECKPOINT_STATE} names, that file, its lock, and the files named
     * {@code alsoOurs} (those of a checkpoint just written: what a checkpoint whose state names none, or an unreadable
     * one, holds); then the folder if that empties it. Returns what it kept, which minibert did not write.
     */
    public static List<Path> deleteCheckpoint(Path dir, Collection<String> alsoOurs) throws IOException {
        OwnEntries own = new OwnEntries();
        List<String> names = new ArrayList<>(alsoOurs);
        try {
            names.addAll(checkpointFiles(dir));
        } catch (IOException unreadable) {
            names.add(CHECKPOINT_STATE); // damaged: its files are known by the names of a checkpoint's files
        }
        own.deleteNamed(dir, names);
        return own.kept();
    }

    /** A folder with its own marker (a model folder, a run inside a quickstart): the entries the marker names. */
    private void deleteMarked(Path dir) throws IOException {
        ModelFileSwap.recover(dir); // else a killed save's journal would bring its model back later
        OutputMarker marker = OutputMarker.read(dir);
        for (String name : marker.allFiles()) {
            delete(dir.resolve(name));
        }
        if (!removeIfOnly(dir, List.of(OutputMarker.FILE, RunLock.FILE))) {
            new OutputMarker(marker.kind(), List.of(), List.of()).write(dir); // stays minibert's, and empty of it
        }
    }

    /** A folder of a training run's fixed layout ({@code checkpoints}, finetune's {@code training}). */
    private void deleteRunLayout(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                String name = p.getFileName().toString();
                boolean folder = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                if (folder && isCheckpointTemp(name)) {
                    AtomicFiles.deleteRecursively(p); // a killed checkpoint write's: minibert's own, whole
                } else if (folder ? isCheckpoint(name) || name.equals("checkpoints")
                        : name.equals(METRICS) || name.equals(RunLock.FILE)) {
                    delete(p);
                } else {
                    kept.add(p);
                }
            }
        }
        removeIfOnly(dir, List.of());
    }

    /** Deletes the files {@code names} in {@code dir} (and its lock), then {@code dir} if nothing else is left. */
    private void deleteNamed(Path dir, List<String> names) throws IOException {
        for (String name : names) {
            Path file = dir.resolve(name);
            if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir.resolve(RunLock.FILE));
        try (Stream<Path> rest = Files.list(dir)) {
            rest.sorted().forEach(kept::add);
        }
        removeIfOnly(dir, List.of());
    }

    /**
     * Removes {@code dir} with the files {@code ours} when it holds nothing else and returns true; otherwise records
     * what else it holds as kept (those not already recorded) and returns false.
     */
    private boolean removeIfOnly(Path dir, List<String> ours) throws IOException {
        List<Path> others;
        try (Stream<Path> entries = Files.list(dir)) {
            others = entries.filter(p -> !ours.contains(p.getFileName().toString())).sorted().toList();
        }
        if (!others.isEmpty()) {
            others.stream().filter(p -> kept.stream().noneMatch(k -> k.startsWith(p) || p.startsWith(k)))
                    .forEach(kept::add);
            return false;
        }
        for (String name : ours) {
            Files.deleteIfExists(dir.resolve(name));
        }
        Files.delete(dir);
        return true;
    }

    /** The files a checkpoint's state names (its own included): all that minibert wrote there. */
    private static List<String> checkpointFiles(Path dir) throws IOException {
        Path state = dir.resolve(CHECKPOINT_STATE);
        if (!Files.isRegularFile(state, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(state + " is missing");
        }
        List<String> names = new ArrayList<>();
        try {
            JsonNode files = JSON.readTree(state.toFile()).path("files");
            for (Iterator<String> it = files.fieldNames(); it.hasNext(); ) {
                names.add(OutputMarker.requirePlainName(it.next()));
            }
        } catch (JsonProcessingException e) {
            throw new IOException(state + ": not valid JSON (" + e.getOriginalMessage() + "); nothing of "
                    + dir + " was deleted", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(state + ": " + e.getMessage(), e);
        }
        names.add(CHECKPOINT_STATE);
        return names;
    }
}
