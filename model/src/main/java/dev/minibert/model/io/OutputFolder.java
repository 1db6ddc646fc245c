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

/**
 * The guard in front of every {@code --out} folder: minibert writes into a folder that is absent, empty, or marked
 * by {@link OutputMarker} as its own folder of the expected kind, and never touches anything else.
 */
public final class OutputFolder {
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
        return openRun(dir, kind, files, resume, " or --resume to continue it");
    }

    /** {@link #openRun} for a command that cannot resume (experiment, quickstart): an earlier run needs --overwrite. */
    public static RunLock openRun(Path dir, String kind, List<String> files) throws IOException {
        return openRun(dir, kind, files, false, "");
    }

    private static RunLock openRun(Path given, String kind, List<String> files, boolean resume, String resumeHint)
            throws IOException {
        Path dir = given.toAbsolutePath().normalize();
        requireOwn(dir, Set.of(kind));
        Files.createDirectories(dir);
        RunLock lock = RunLock.acquire(dir);
        try {
            OutputMarker marker = requireOwn(dir, Set.of(kind)); // again, now that no other run can change it
            if (marker == null) {
                marker = new OutputMarker(kind, files, List.of());
            } else if (!resume && marker.allFiles().stream().anyMatch(f -> Files.exists(dir.resolve(f)))) {
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
     * names), leaving every other file there alone; an absent or empty folder is fine.
     */
    public static void clear(Path dir, String kind) throws IOException {
        if (requireOwn(dir, Set.of(kind)) == null) {
            return;
        }
        try (RunLock lock = RunLock.acquire(dir)) {
            ModelFileSwap.recover(dir); // else a killed save's journal would bring its model back later
            OutputMarker marker = requireOwn(dir, Set.of(kind));
            for (String name : marker.allFiles()) {
                AtomicFiles.deleteRecursively(dir.resolve(name));
            }
            new OutputMarker(kind, marker.files(), List.of()).write(dir);
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

    /** The work of a staged run: writes into {@code staging} and moves the finished entries in with {@link #moveIn}. */
    public interface StagedWork<T> {
        T run(Path staging) throws IOException;
    }

    /**
     * Runs {@code work} for a {@code kind} folder {@code given} that cannot resume (absent, empty, or cleared by
     * --overwrite): locked, in a staging folder inside it that is always deleted afterwards. If it fails, a folder
     * this call created and nothing was moved into is removed again, so a failed run leaves no partial output.
     */
    public static <T> T staged(Path given, String kind, StagedWork<T> work) throws IOException {
        Path dir = given.toAbsolutePath().normalize();
        boolean existed = Files.exists(dir);
        try (RunLock lock = openRun(dir, kind, List.of())) {
            Path staging = stagingFolder(dir);
            try {
                return work.run(staging);
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
     * refusing if one of them is there already (it can only be the user's: openRun refuses a folder holding a run).
     * {@code marker}, which names them, is written first, so that after a crash half-way --overwrite still removes
     * them all.
     */
    public static void moveIn(Path staging, Path dir, OutputMarker marker, List<String> names) throws IOException {
        for (String name : names) {
            if (Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(dir.resolve(name) + " exists and was not written by "
                        + "minibert; nothing was moved there: remove it or choose another --out");
            }
        }
        marker.write(dir);
        for (String name : names) {
            Files.move(staging.resolve(name), dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        }
        AtomicFiles.syncDirectory(dir);
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
