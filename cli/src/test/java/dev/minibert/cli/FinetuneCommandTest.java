package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BertModel;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code minibert finetune} wiring: help, a short run whose output {@code predict} can use, resuming, and bad data. */
class FinetuneCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path pretrained() throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertModel(TinyModelFiles.config(), store, "bert.", true);
        Initializer.initialize(store, 0.02, 3);
        Path model = dir.resolve("pretrained");
        ModelDirectory.save(model, TinyModelFiles.config(), TinyModelFiles.vocab(), true, store, Map.of());
        return model;
    }

    @Test
    void helpListsTheOptions() {
        CliRun run = CliRun.of("", "finetune", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("--model", "--train", "--dev", "--out", "--freeze-layers", "--resume");
    }

    @Test
    void shortRunWritesAClassifierThatPredictUses() throws IOException {
        Path model = pretrained();
        Path train = Files.writeString(dir.resolve("train.tsv"),
                "s1\ts2\tlabel\nthe cat\tsat\tsame\nthe dog\tran\tother\nthe cat\tran\tsame\nthe mat\tsat\tother\n",
                StandardCharsets.UTF_8);
        Path out = dir.resolve("out");
        CliRun run = CliRun.of("", "finetune", "--model", model.toString(), "--train", train.toString(),
                "--dev", train.toString(), "--out", out.toString(), "--text-column", "s1", "--text-pair-column", "s2",
                "--epochs", "2", "--batch-size", "2", "--log-every", "1", "--metric", "accuracy");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("finetuned 4 steps");
        List<String> metrics = Files.readAllLines(out.resolve("training/metrics.jsonl"));
        assertThat(metrics).hasSize(4);
        assertThat(JSON.readTree(metrics.get(1)).has("dev_accuracy")).isTrue();

        CliRun predict = CliRun.of("the cat\tsat\n", "predict", "--model", out.toString(), "--pair");
        assertThat(predict.exitCode()).as(predict.stderr()).isZero();
        JsonNode row = JSON.readTree(predict.stdout().strip());
        assertThat(row.get("label").asText()).isIn("other", "same");
        assertThat(row.get("probabilities").get("other").asDouble() + row.get("probabilities").get("same").asDouble())
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    /** A resumed finetuning run must keep its trajectory options; its number of epochs may grow. */
    @Test
    void resumeRefusesAChangedLearningRateAndAcceptsMoreEpochs() throws IOException {
        Path model = pretrained();
        Path train = Files.writeString(dir.resolve("train.csv"),
                "text,label\nthe cat sat,a\nthe dog ran,b\nthe cat ran,a\nthe mat sat,b\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("out");
        String[] base = {"finetune", "--model", model.toString(), "--train", train.toString(), "--out", out.toString(),
                "--batch-size", "2", "--log-every", "1", "--threads", "1"};
        assertThat(CliRun.of("", concat(base, "--epochs", "2")).exitCode()).isZero();

        CliRun refused = CliRun.of("", concat(base, "--epochs", "2", "--resume", "--learning-rate", "1e-4"));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("--learning-rate changed since", "was 5.0E-5, now 1.0E-4")
                .doesNotContain("\tat ");

        CliRun grown = CliRun.of("", concat(base, "--epochs", "3", "--resume"));
        assertThat(grown.exitCode()).as(grown.stderr()).isZero();
        assertThat(grown.stderr()).contains("finetuned 6 steps");
        assertThat(Files.readAllLines(out.resolve("training/metrics.jsonl"))).hasSize(6);
        try (var checkpoints = Files.list(out.resolve("training/checkpoints"))) {
            assertThat(checkpoints.map(p -> p.getFileName().toString()))
                    .as("two kept, so that a damaged newest one leaves one to resume from")
                    .containsExactlyInAnyOrder("checkpoint-4", "checkpoint-6");
        }
    }

    /** --resume CHECKPOINT as pretrain takes it: a damaged named checkpoint refused, an intact one resumed exactly. */
    @Test
    void aNamedCheckpointIsResumedAndADamagedNamedOneRefused() throws IOException {
        Path model = TinySavedModels.encoder(dir.resolve("encoder"));
        Path train = TinySavedModels.labeledCsv(dir.resolve("train.csv"));
        Path out = dir.resolve("out");
        String[] base = {"finetune", "--model", model.toString(), "--train", train.toString(), "--out", out.toString(),
                "--epochs", "3", "--batch-size", "4", "--log-every", "1", "--threads", "1"};
        assertThat(CliRun.of("", base).exitCode()).isZero();
        List<Double> uninterrupted = losses(out);
        assertThat(uninterrupted).hasSize(6).doesNotHaveDuplicates();

        Path newest = out.resolve("training/checkpoints/checkpoint-6");
        Files.writeString(newest.resolve("config.json"), " ", java.nio.file.StandardOpenOption.APPEND);
        CliRun refused = CliRun.of("", concat(base, "--resume=" + newest));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains(newest.resolve("config.json") + " is damaged: sha256")
                .doesNotContain("\tat ");

        Path older = out.resolve("training/checkpoints/checkpoint-4");
        CliRun resumed = CliRun.of("", concat(base, "--resume", older.toString()));
        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(resumed.stderr()).contains("resuming from " + older, "finetuned 6 steps");
        assertThat(losses(out)).as("steps 5 and 6 again, as the first time").containsExactlyElementsOf(uninterrupted);
    }

    private static List<Double> losses(Path out) throws IOException {
        List<Double> losses = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("training/metrics.jsonl"))) {
            JsonNode row = JSON.readTree(line);
            if (row.has("loss")) {
                losses.add(row.get("loss").asDouble());
            }
        }
        return losses;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void badRowExitsOneNamingFileAndLine() throws IOException {
        Path model = pretrained();
        Path train = Files.writeString(dir.resolve("train.jsonl"),
                "{\"text\": \"the cat\", \"label\": \"a\"}\n{\"text\": \"the dog\"}\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("out");
        CliRun run = CliRun.of("", "finetune", "--model", model.toString(), "--train", train.toString(),
                "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(train + ":2", "missing field 'label'").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }
}
