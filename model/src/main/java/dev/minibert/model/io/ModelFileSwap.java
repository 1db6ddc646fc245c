package dev.minibert.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces a set of files inside a folder as one unit, surviving kill -9 at any point. The new files are written
 * and fsynced in a staging subfolder; then a journal naming them is written atomically: that rename is the commit.
 * Before it the old set is untouched (the staging folder is dropped later); after it the next {@link #recover}
 * finishes the moves, so a reader sees the old set or the new one, never a mix. Other files are never touched.
 */
final class ModelFileSwap {
    static final String JOURNAL = ".minibert-journal.json";
    /** Test hook: the step at which a swap waits to be killed (0 = staged, 1 = committed, 1+k = k files moved). */
    static final String PAUSE_PROPERTY = "minibert.pauseDuringModelSwap";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFileSwap() {
    }

    /** Publishes the staged {@code files} (all fsynced) into {@code dir} and deletes {@code remove} there. */
    static void commit(Path dir, Path staging, List<String> files, List<String> remove) throws IOException {
        pauseAt(0);
        ObjectNode journal = JSON.createObjectNode();
        journal.put("staging", staging.getFileName().toString());
        files.forEach(journal.putArray("files")::add);
        remove.forEach(journal.putArray("remove")::add);
        AtomicFiles.write(dir.resolve(JOURNAL), journal.toPrettyString().getBytes(StandardCharsets.UTF_8));
        pauseAt(1);
        apply(dir, journal);
    }

    /**
     * Finishes a committed swap and drops the staging folders of processes that died before committing. The
     * caller holds the folder's {@link RunLock}, so no live process is staging there.
     */
    static void recover(Path dir) throws IOException {
        Path journal = dir.resolve(JOURNAL);
        if (Files.exists(journal)) {
            try {
                apply(dir, JSON.readTree(Files.readString(journal, StandardCharsets.UTF_8)));
            } catch (JsonProcessingException e) {
                throw new IOException(journal + ": not valid JSON: " + e.getOriginalMessage(), e);
            }
        }
        OutputFolder.dropAbandonedStaging(dir);
    }

    /** Whether a committed swap awaits {@link #recover} (a writer was killed after its commit). */
    static boolean pending(Path dir) {
        return Files.exists(dir.resolve(JOURNAL));
    }

    private static void apply(Path dir, JsonNode journal) throws IOException {
        Path file = dir.resolve(JOURNAL);
        String stagingName = journal.path("staging").asText();
        if (!OutputFolder.isStaging(stagingName)) {
            throw new IOException(file + ": \"staging\" is not a minibert staging folder: " + stagingName);
        }
        Path staging = dir.resolve(stagingName);
        int step = 1;
        for (String name : names(file, journal, "files")) {
            Path staged = staging.resolve(name);
            if (Files.exists(staged)) { // absent: moved before a crash
                Files.move(staged, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                pauseAt(++step);
            }
        }
        for (String name : names(file, journal, "remove")) {
            Files.deleteIfExists(dir.resolve(name));
        }
        AtomicFiles.syncDirectory(dir);
        AtomicFiles.deleteRecursively(staging);
        Files.delete(file);
        AtomicFiles.syncDirectory(dir);
    }

    private static List<String> names(Path file, JsonNode journal, String field) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode n : journal.path(field)) {
            try {
                out.add(OutputMarker.requirePlainName(n.asText()));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + field + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The crash-test hook: announces the step on stderr and waits to be killed. */
    private static void pauseAt(int step) {
        if (String.valueOf(step).equals(System.getProperty(PAUSE_PROPERTY))) {
            System.err.println("paused at swap step " + step);
            System.err.flush();
            while (true) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
