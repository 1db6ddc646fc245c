package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Log-line progress: an ETA from the measured rate once the total is known, none before; --epochs included. */
class TrainingProgressTest {
    @TempDir
    Path dir;

    @Test
    void etaFromTheRateOnceTheTotalIsKnown() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] now = {0};
        TrainingProgress progress = new TrainingProgress(null, 0, 1, new PrintStream(out, true, StandardCharsets.UTF_8),
                () -> now[0]);
        progress.accept(Map.of("step", 1L, "loss", 2.0));
        now[0] = 10_000_000_000L; // 10 s for the second step
        progress.accept(Map.of("step", 2L, "loss", 1.5));
        progress.totalSteps(500); // as pretraining tells it once --epochs are counted in steps
        now[0] = 20_000_000_000L; // 10 s a step: 497 steps left
        progress.accept(Map.of("step", 3L, "loss", 1.2));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).as("no total yet").doesNotContain("eta=");
        assertThat(lines.get(2)).endsWith(" eta=1h22m"); // 4970 s
        assertThat(TrainingProgress.duration(185)).isEqualTo("3m05s");
        assertThat(TrainingProgress.duration(42)).isEqualTo("42s");
    }

    @Test
    void pretrainingWithEpochsTellsTheProgressItsTotal() throws Exception {
        Path corpus = TinySavedModels.corpus(dir.resolve("corpus.txt"));
        Path config = java.nio.file.Files.writeString(dir.resolve("config.json"), TinySavedModels.config().toJsonString());
        Path vocab = dir.resolve("vocab.txt");
        TinyModelFiles.vocab().write(vocab);
        CliRun run = CliRun.of("", "pretrain", "--corpus", corpus.toString(), "--config", config.toString(),
                "--vocab", vocab.toString(), "--out", dir.resolve("run").toString(), "--epochs", "2", "--batch-size", "1",
                "--max-seq-len", "16", "--eval-fraction", "0", "--log-every", "1", "--threads", "1");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        // two training sequences, batch 1, 2 epochs: 4 steps, known only once the corpus is read
        assertThat(run.stderr()).containsPattern("step=3 .* eta=\\d+s\n").contains("pretrained 4 steps");
    }

    @Test
    void finetuningWithEpochsTellsTheProgressItsTotal() throws Exception {
        Path model = TinySavedModels.encoder(dir.resolve("encoder"));
        Path train = TinySavedModels.labeledCsv(dir.resolve("train.csv"));
        CliRun run = CliRun.of("", "finetune", "--model", model.toString(), "--train", train.toString(), "--out",
                dir.resolve("classifier").toString(), "--epochs", "2", "--batch-size", "4", "--log-every", "1",
                "--threads", "1");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        // eight rows, batch 4, 2 epochs: 4 steps, counted once the training file is read
        assertThat(run.stderr()).containsPattern("step=3 .* eta=\\d+s\n").contains("finetuned 4 steps");
    }
}
