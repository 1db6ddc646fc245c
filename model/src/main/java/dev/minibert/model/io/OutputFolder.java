package dev.minibert.model.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard in front of every {@code --out} folder: minibert writes into a folder that is absent, empty, or marked
 * by {@link OutputMarker} as its own folder of the expected kind, and never touches anything else.
 */
public final class OutputFolder {
    private static final Logger LOG = LoggerFactory.getLogger(OutputFolder.class);
    /** The marker kind of a folder that {@link #moveIn} moved in whole. */
    private static final String WRITTEN_KIND = "files";
    private static final Pattern STAGING = Pattern.compile("\\.minibert-staging-(\\d+)-[0-9a-f]+");

    private OutputFolder() {
    }

    /**
     * The marker of {@code given} when it is minibert's folder of one of {@code kinds}; null when it is absent
     * or empty. Refuses a file, a non-empty folder without a marker, and a marker of another kind.
     */
    public static OutputMarker requireOwn(Path given, Set<String> kinds) throws IOException {
        Path dir = given.toAbsolutePath().normalize(); // "--out ." is named as the folder it is
        if (!Files.exists(dir)) {
            return null;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " exists and is not a folder; nothing was changed");
        }
        OutputMarker marker = OutputMarker.read(dir);
        if (marker == null) {
            if (isEmpty(dir)) {
                return null;
            }
            throw new IllegalArgumentException(dir + " is not empty and is not a minibert output folder (no "
                    + OutputMarker.FILE + "); nothing was changed: choose an empty or new folder");
        }
        if (!kinds.contains(marker.kind())) {
            throw new IllegalArgumentException(dir + " is a minibert " + marker.kind() + " folder, not "
                    + String.join(" or ", kinds.stream().sorted().toList()) + "; nothing was changed");
        }
        return marker;
    }

    /**
     * Opens {@code dir} as a run folder of {@code kind} whose entries are {@code files}, locked for this process
     * until the returned lock is closed. A folder that already holds such a run is continued only with
     * {@code resume}; otherwise the refusal says to pass --overwrite or --resume.
     */
    public static RunLock openRun(Path dir, String kind, List<String> files, boolean resume) throws IOException {
        return openRun(dir, kind, files, resume ? Start.RESUME : Start.NEW);
    }

    /** {@link #openRun(Path, String, List, boolean)} with an explicit {@link Start}. */
    public static RunLock openRun(Path dir, String kind, List<String> files, Start start) throws IOException {
        return openRun(dir, kind, files, start, " or --resume to continue it");
    }

    /** {@link #openRun} for a command that cannot resume (experiment, quickstart): an earlier run needs --overwrite. */
    public static RunLock openRun(Path dir, String kind, List<String> files) throws IOException {
        return openRun(dir, kind, files, Start.NEW, "");
    }

    /** How a run treats an earlier run of its kind in its folder. */
    public enum Start {
        /** refuses it, saying to pass --overwrite (or --resume, where the command can resume) */
        NEW,
        /** continues it */
        RESUME,
        /**
         * accepts it, to be deleted with {@link #clear} under the same lock once the run's inputs are all read and
         * checked, so that a run refused for bad input has deleted nothing
         */
        OVERWRITE
    }

    private static RunLock openRun(Path given, String kind, List<String> files, Start start, String resumeHint)
            throws IOException {
        Path dir = given.toAbsolutePath().normalize();
        requireOwn(dir, Set.of(kind));
        Files.createDirectories(dir);
        RunLock lock = RunLock.acquire(dir);
        try {
            OutputMarker marker = requireOwn(dir, Set.of(kind)); // again, now that no other run can change it
            if (marker == null) {
                marker = new OutputMarker(kind, files, List.of());
            } else if (start == Start.NEW && marker.allFiles().stream().anyMatch(f -> Files.exists(dir.resolve(f)))) {
                throw new IllegalArgumentException(dir + " already holds a minibert " + kind
                        + " run; pass --overwrite to replace it" + resumeHint);
            }
            marker.withFiles(files).write(dir);
            dropAbandonedStaging(dir);
            return lock;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * {@code --overwrite}: deletes what minibert wrote in its {@code kind} folder {@code dir} (the entries its marker
     * names; of a folder among them only the files minibert wrote there, see {@link OwnEntries}), leaving every other
     * file alone, under the folder's lock (held already by a run opened with {@link Start#OVERWRITE}); an absent or
     * empty folder is fine. Returns, and logs, what it kept inside minibert's folders because minibert did not write it.
     */
    public static List<Path> clear(Path dir, String kind) throws IOException {
        if (requireOwn(dir, Set.of(kind)) == null) {
            return List.of();
        }
        try (RunLock lock = RunLock.acquire(dir)) {
            ModelFileSwap.recover(dir); // else a killed save's journal would bring its model back later
            OutputMarker marker = requireOwn(dir, Set.of(kind));
            OwnEntries own = new OwnEntries();
            for (String name : marker.allFiles()) {
                own.delete(dir.resolve(name));
            }
            new OutputMarker(kind, marker.files(), List.of()).write(dir);
            for (Path p : own.kept()) {
                LOG.warn("--overwrite kept {}: minibert did not write it", p);
            }
            return own.kept();
        }
    }

    /**
     * Removes a folder that a run created and then failed in before writing anything (its marker names no files):
     * the marker, the lock file, and the folder if that leaves it empty. Anything else found there stays.
     */
    public static void dropUnused(Path dir) throws IOException {
        OutputMarker marker = OutputMarker.read(dir);
        if (marker == null || !marker.allFiles().isEmpty()) {
            return;
        }
        Files.delete(dir.resolve(OutputMarker.FILE));
        Files.deleteIfExists(dir.resolve(RunLock.FILE));
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(dir);
            }
        }
    }

    /** A new staging folder inside {@code dir}, named by this process's PID and a random part. */
    public static Path stagingFolder(Path dir) throws IOException {
        return Files.createDirectory(dir.resolve(AtomicFiles.uniqueName(".minibert-staging-", "")));
    }

    /** The work of a staged run: writes into {@link Staging#folder} and moves the finished entries in with it. */
    public interface StagedWork<T> {
        T run(Staging staging) throws IOException;
    }

    /**
     * A staged run's staging {@code folder} inside its {@code kind} output folder {@code dir}, and the move of its
     * finished entries into that, clearing the earlier run first when {@code overwrite}.
     */
    public record Staging(Path folder, Path dir, String kind, boolean overwrite) {
        /**
         * {@link OutputFolder#moveIn} of the finished entries; with --overwrite the earlier run is cleared first, only
         * now that all the work is done, so a run that failed on the way has deleted nothing.
         */
        public void moveIn(OutputMarker marker, List<String> names) throws IOException {
            if (overwrite) {
                clear(dir, kind);
            }
            OutputFolder.moveIn(folder, dir, marker, names);
        }
    }

    /**
     * Runs {@code work} for a {@code kind} folder {@code given} that cannot resume (absent, empty, or, with
     * {@code overwrite}, an earlier run cleared when the work moves its entries in): locked throughout, in a staging
     * folder inside it that is always deleted afterwards. If it fails, a folder this call created and nothing was
     * moved into is removed again, so a failed run leaves no partial output.
     */
    public static <T> T staged(Path given, String kind, boolean overwrite, StagedWork<T> work) throws IOException {
        Path dir = given.toAbsolutePath().normalize();
        boolean existed = Files.exists(dir);
        try (RunLock lock = openRun(dir, kind, List.of(), overwrite ? Start.OVERWRITE : Start.NEW, "")) {
            Path staging = stagingFolder(dir);
            try {
                return work.run(new Staging(staging, dir, kind, overwrite));
            } finally {
                AtomicFiles.deleteRecursively(staging);
            }
        } catch (IOException | RuntimeException e) {
            if (!existed) {
                dropUnused(dir);
            }
            throw e;
        }
    }

    /**
     * Moves the finished entries {@code names} of {@code staging} (made by {@link #stagingFolder}) into {@code dir},
     * refusing if one of them is there already (it can only be the user's: openRun refuses a folder holding a run),
     * except a folder of minibert's that --overwrite kept for a user's file in it, which takes the new entries in.
     * {@code marker}, which names them, is written first, so that after a crash half-way --overwrite still removes
     * them all.
     */
    static void moveIn(Path staging, Path dir, OutputMarker marker, List<String> names) throws IOException {
        for (String name : names) {
            refuseClash(staging.resolve(name), dir.resolve(name));
        }
        for (String name : names) {
            markWritten(staging.resolve(name));
        }
        marker.write(dir);
        for (String name : names) {
            moveOrMerge(staging.resolve(name), dir.resolve(name));
        }
        AtomicFiles.syncDirectory(dir);
    }

    private static void refuseClash(Path entry, Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)
                || OutputMarker.read(target) == null) {
            throw new IllegalArgumentException(target + " exists and was not written by minibert; nothing was moved "
                    + "there: remove it or choose another --out");
        }
        for (String name : entryNames(entry)) {
            refuseClash(entry.resolve(name), target.resolve(name));
        }
    }

    /** Moves {@code entry} to {@code target}, or its entries into the kept minibert folder {@code target}. */
    private static void moveOrMerge(Path entry, Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.move(entry.resolve(OutputMarker.FILE), target.resolve(OutputMarker.FILE),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : entryNames(entry)) {
            moveOrMerge(entry.resolve(name), target.resolve(name));
        }
        Files.delete(entry);
        AtomicFiles.syncDirectory(target);
    }

    /** The entries of a folder, its marker and lock aside. */
    private static List<String> entryNames(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(RunLock.FILE) && !n.equals(OutputMarker.FILE)).sorted().toList();
        }
    }

    /**
     * Gives a folder written whole in a staging folder (an experiment's {@code seed-N}), and each folder in it, a
     * marker naming its entries, unless it has one: --overwrite deletes those and keeps what a user adds later.
     */
    private static void markWritten(Path entry) throws IOException {
        if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) || OutputMarker.read(entry) != null) {
            return;
        }
        List<String> names = entryNames(entry);
        for (String name : names) {
            markWritten(entry.resolve(name));
        }
        new OutputMarker(WRITTEN_KIND, names, List.of()).write(entry);
    }

    static boolean isStaging(String name) {
        return STAGING.matcher(name).matches();
    }

    /** Deletes the staging folders that processes killed before finishing left in {@code dir}. */
    static void dropAbandonedStaging(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                Matcher m = STAGING.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    AtomicFiles.deleteRecursively(p);
                }
            }
        }
    }

    /** Empty but for what a process killed before writing the marker may have left: its lock and staging files. */
    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString())
                    .allMatch(n -> n.equals(RunLock.FILE) || isStaging(n));
        }
    }
}
