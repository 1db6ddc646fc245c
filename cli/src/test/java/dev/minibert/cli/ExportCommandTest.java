package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.io.OnnxExport;
import dev.minibert.model.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code minibert export} writes what {@code minibert import} reads back; an existing file minibert did not write,
 * or a model folder that is not one, fails with one line naming it, exit 1, and nothing written.
 */
class ExportCommandTest {
    @TempDir
    Path dir;

    @Test
    void exportsAClassifierAndAnEncoderThatImportReadsBack() throws Exception {
        Path classifier = dir.resolve("classifier");
        TinySavedModels.classifier(classifier);
        Path onnx = dir.resolve("classifier.onnx");
        CliRun run = CliRun.of("", "export", "--model", classifier.toString(), "--onnx", onnx.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("logits (2 labels)");
        assertThat(OnnxExport.writtenByMinibert(onnx)).isTrue();

        Path encoder = TinySavedModels.encoder(dir.resolve("encoder"));
        Path encoderOnnx = dir.resolve("encoder.onnx");
        assertThat(CliRun.of("", "export", "--model", encoder.toString(), "--onnx", encoderOnnx.toString())
                .exitCode()).isZero();
        Path back = dir.resolve("back");
        CliRun imported = CliRun.of("", "import", "--onnx", encoderOnnx.toString(), "--vocab",
                encoder.resolve(ModelDirectory.VOCAB).toString(), "--out", back.toString());
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(SafeTensors.read(back.resolve(ModelDirectory.WEIGHTS)).keySet())
                .containsExactlyInAnyOrderElementsOf(SafeTensors.read(encoder.resolve(ModelDirectory.WEIGHTS)).keySet());
    }

    @Test
    void importOntoAFolderHoldingAUsersFileRefusesAndLeavesIt() throws Exception {
        Path encoder = TinySavedModels.encoder(dir.resolve("encoder"));
        Path onnx = dir.resolve("encoder.onnx");
        assertThat(CliRun.of("", "export", "--model", encoder.toString(), "--onnx", onnx.toString()).exitCode()).isZero();
        Path mine = Files.createDirectory(dir.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "my notes");

        CliRun refused = CliRun.of("", "import", "--onnx", onnx.toString(), "--vocab",
                encoder.resolve(ModelDirectory.VOCAB).toString(), "--out", mine.toString());

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator"))).singleElement()
                .asString().startsWith("minibert import: error: " + mine + " is not empty and is not a minibert "
                        + "output folder");
        try (var left = Files.list(mine)) {
            assertThat(left).containsExactly(mine.resolve("notes.txt"));
        }
        assertThat(mine.resolve("notes.txt")).hasContent("my notes");
    }

    @Test
    void refusesTheUsersFileWithOneLineUnlessOverwrite() throws Exception {
        Path encoder = TinySavedModels.encoder(dir.resolve("encoder"));
        Path users = Files.writeString(dir.resolve("model.onnx"), "not minibert's");
        CliRun refused = CliRun.of("", "export", "--model", encoder.toString(), "--onnx", users.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr().strip().lines()).singleElement().asString()
                .startsWith("minibert export: error: " + users).contains("--overwrite");
        assertThat(Files.readString(users)).isEqualTo("not minibert's");

        assertThat(CliRun.of("", "export", "--model", encoder.toString(), "--onnx", users.toString(), "--overwrite")
                .exitCode()).isZero();
        assertThat(OnnxExport.writtenByMinibert(users)).isTrue();
    }

    @Test
    void aFolderThatIsNoModelFailsWithOneLine() {
        Path onnx = dir.resolve("out.onnx");
        CliRun run = CliRun.of("", "export", "--model", dir.resolve("missing").toString(), "--onnx", onnx.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr().strip().lines()).singleElement().asString().contains("missing");
        assertThat(onnx).doesNotExist();
    }
}
