package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder guard's rules, on real folders: what is minibert's is decided by the marker alone. */
class OutputFolderTest {
    @TempDir
    Path tmp;

    @Test
    void overwriteDeletesOnlyTheEntriesTheMarkerNames() throws IOException {
        Path run = tmp.resolve("run");
        try (RunLock lock = OutputFolder.openRun(run, "pretrain", List.of("metrics.jsonl", "checkpoints"), false)) {
            Files.writeString(run.resolve("metrics.jsonl"), "{}\n");
            Files.createDirectories(run.resolve("checkpoints/checkpoint-1"));
        }
        Files.writeString(run.resolve("notes.txt"), "mine");

        assertThatThrownBy(() -> OutputFolder.openRun(run, "pretrain", List.of("metrics.jsonl"), false).close())
                .hasMessageContaining("pass --overwrite to replace it or --resume to continue it");
        OutputFolder.clear(run, "pretrain");

        assertThat(run.resolve("metrics.jsonl")).doesNotExist();
        assertThat(run.resolve("checkpoints")).doesNotExist();
        assertThat(run.resolve("notes.txt")).hasContent("mine");
        OutputFolder.openRun(run, "pretrain", List.of("metrics.jsonl"), false).close();
    }

    @Test
    void aMarkerNamingAPathOutsideItsFolderIsRefusedAndNothingIsDeleted() throws IOException {
        Path outside = Files.writeString(tmp.resolve("precious.txt"), "mine");
        Path run = Files.createDirectory(tmp.resolve("run"));
        Files.writeString(run.resolve(OutputMarker.FILE), "{\"kind\": \"pretrain\", \"files\": [\"../precious.txt\"]}");

        assertThatThrownBy(() -> OutputFolder.clear(run, "pretrain"))
                .hasMessageContaining(run.resolve(OutputMarker.FILE).toString()).hasMessageContaining("../precious.txt");
        assertThat(outside).hasContent("mine");
    }

    @Test
    void aFolderOfAnotherKindOrAFileIsRefused() throws IOException {
        Path model = Files.createDirectory(tmp.resolve("model"));
        new OutputMarker("model", List.of(), List.of("config.json")).write(model);
        Path file = Files.writeString(tmp.resolve("file"), "x");

        assertThatThrownBy(() -> OutputFolder.requireOwn(model, Set.of("quickstart")))
                .hasMessage(model + " is a minibert model folder, not quickstart; nothing was changed");
        assertThatThrownBy(() -> OutputFolder.requireOwn(file, Set.of("model")))
                .hasMessage(file + " exists and is not a folder; nothing was changed");
        assertThat(OutputFolder.requireOwn(Files.createDirectory(tmp.resolve("empty")), Set.of("model"))).isNull();
    }
}
