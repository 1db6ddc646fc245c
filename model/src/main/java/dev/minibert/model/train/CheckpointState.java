package dev.minibert.model.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.io.AtomicFiles;
import dev.minibert.model.io.OwnEntries;
import dev.minibert.model.io.RunLock;
import dev.minibert.model.io.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A checkpoint's {@code trainer_state.json}: its step, the sha256 of every other file in the folder and
 * the run's {@link Fingerprint}. Written last, after the files it vouches for, so that a torn or later
 * damaged checkpoint is recognised on {@code --resume} instead of being trained on.
 */
record CheckpointState(long step, long totalSteps, Fingerprint fingerprint) {
    static final String FILE = OwnEntries.CHECKPOINT_STATE;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Syncs and hashes every file already in {@code dir}, then writes the state file atomically. */
    void write(Path dir) throws IOException {
        ObjectNode state = JSON.createObjectNode();
        state.put("step", step);
        state.put("total_steps", totalSteps);
        ObjectNode files = state.putObject("files");
        for (Path f : files(dir)) {
            AtomicFiles.syncFile(f);
            files.put(f.getFileName().toString(), Sha256.of(f));
        }
        state.set("fingerprint", fingerprint.toJson());
        AtomicFiles.write(dir.resolve(FILE), state.toPrettyString().getBytes(StandardCharsets.UTF_8));
    }

    /** The state of an intact checkpoint; an IOException naming the file for a damaged or incomplete one. */
    static CheckpointState verify(Path dir) throws IOException {
        Path stateFile = dir.resolve(FILE);
        if (!Files.isRegularFile(stateFile)) {
            throw new IOException(stateFile + " is missing (an incomplete checkpoint)");
        }
        JsonNode state;
        try {
            state = JSON.readTree(stateFile.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(stateFile + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode files = state.path("files");
        if (!files.isObject() || files.isEmpty() || !state.path("step").canConvertToLong()) {
            throw new IOException(stateFile + ": records no step or no sha256 of the checkpoint's files "
                    + "(written by an older minibert, so it cannot be verified)");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) {
                throw new IOException(f + " is missing");
            }
            String actual = Sha256.of(f);
            if (!actual.equals(e.getValue().asText())) {
                throw new IOException(f + " is damaged: sha256 " + actual + ", expected " + e.getValue().asText());
            }
        }
        return new CheckpointState(state.get("step").asLong(), state.path("total_steps").asLong(),
                Fingerprint.fromJson(state.path("fingerprint")));
    }

    /** The checkpoint's content: every file but this state and the save's lock (a PID, not data). */
    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isRegularFile)
                    .filter(f -> !List.of(FILE, RunLock.FILE).contains(f.getFileName().toString()))
                    .sorted().toList();
        }
    }
}
