package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Initializer;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code minibert init}: a loadable folder holding exactly the seeded initialisation; vocab/config mismatch exits 1. */
class InitCommandTest {
    @TempDir
    Path dir;

    private Path config(BertConfig config) throws IOException {
        return Files.writeString(dir.resolve("config.json"), config.toJsonString(), StandardCharsets.UTF_8);
    }

    @Test
    void writesALoadableDirectoryWithTheSeededInitialisation() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        TinyModelFiles.vocab().write(vocab);
        Path out = dir.resolve("model");
        CliRun run = CliRun.of("", "init", "--config", config(TinyModelFiles.config()).toString(),
                "--vocab", vocab.toString(), "--out", out.toString(), "--seed", "5", "--no-lowercase");
        assertThat(run.exitCode()).as(run.stderr()).isZero();

        ModelDirectory saved = ModelDirectory.open(out);
        assertThat(saved.config().hiddenSize).isEqualTo(16);
        assertThat(saved.vocab().tokens()).isEqualTo(TinyModelFiles.vocab().tokens());
        assertThat(saved.doLowerCase()).isFalse();
        ParameterStore loaded = new ParameterStore(DataType.FLOAT);
        new BertModel(saved.config(), loaded, "bert.", true);
        saved.loadInto(loaded, name -> false);
        ParameterStore expected = new ParameterStore(DataType.FLOAT);
        new BertModel(TinyModelFiles.config(), expected, "bert.", true);
        Initializer.initialize(expected, TinyModelFiles.config().initializerRange, 5);
        for (Parameter p : expected) {
            assertThat(loaded.get(p.name()).value()).as(p.name()).isEqualTo(p.value());
        }
    }

    @Test
    void vocabSizeOtherThanTheConfigsExitsOne() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the")).write(vocab);
        Path out = dir.resolve("model");
        CliRun run = CliRun.of("", "init", "--config", config(TinyModelFiles.config()).toString(),
                "--vocab", vocab.toString(), "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(vocab.toString(), "6 tokens", "vocab_size 15").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }
}
