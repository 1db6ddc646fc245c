package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minibert.model.BertConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad data or a bad model folder fails before training with the file (and line) named, and leaves --out alone. */
class FinetuningBadInputTest {
    @TempDir
    Path dir;

    private Path model;
    private Path out;

    @BeforeEach
    void pretrained() throws IOException {
        model = dir.resolve("pretrained");
        TinyPretrained.write(model, TinyPretrained.config(BertConfig.NormStyle.POST, 0.1), 1);
        out = dir.resolve("out");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private void failsWith(Path train, Path dev, String... messageParts) {
        assertThatThrownBy(() -> Finetuning.run(FinetuningTest.options(model, train, dev, out, 1, 1e-3, 1, 0, false),
                row -> { })).hasMessageContainingAll(messageParts);
        assertThat(out).as("nothing written to --out").doesNotExist();
    }

    @Test
    void missingLabelColumn() throws IOException {
        Path train = write("train.csv", "text,category\na b,yes\nc d,no\n");
        failsWith(train, null, train + ":1", "label");
    }

    @Test
    void unknownDevLabel() throws IOException {
        Path train = write("train.csv", "text,label\na b,yes\nc d,no\n");
        Path dev = write("dev.csv", "text,label\na b,yes\nc d,maybe\n");
        failsWith(train, dev, dev + ":3", "unknown label 'maybe'");
    }

    @Test
    void emptyText() throws IOException {
        Path train = write("train.csv", "text,label\na b,yes\n,no\nc d,no\n");
        failsWith(train, null, train + ":3", "empty text");
    }

    @Test
    void onlyOneLabelInTraining() throws IOException {
        Path train = write("train.csv", "text,label\na b,yes\nc d,yes\n");
        failsWith(train, null, train.toString(), "only 1 label");
    }

    @Test
    void modelDirectoryWithoutWeights() throws IOException {
        Files.delete(model.resolve("model.safetensors"));
        Path train = write("train.csv", "text,label\na b,yes\nc d,no\n");
        failsWith(train, null, model.toString(), "missing model.safetensors");
    }
}
