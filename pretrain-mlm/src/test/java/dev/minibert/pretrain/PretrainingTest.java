package dev.minibert.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.train.TrainingLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @Test
    void tinyModelOverfitsTinyCorpus() throws IOException {
        TinyCorpus.write(tmp, 0.0);
        Path out = tmp.resolve("run");
        TrainingLoop.Result r = Pretraining.run(TinyCorpus.options(tmp, out, 500, 5e-3, 0, false, 6), m -> { });
        List<JsonNode> rows = rows(out.resolve("metrics.jsonl"));
        double first = rows.get(0).get("loss").asDouble();
        double lastLoss = 0;
        double lastAccuracy = 0;
        for (JsonNode row : rows.subList(rows.size() - 20, rows.size())) {
            lastLoss += row.get("loss").asDouble() / 20;
            lastAccuracy += row.get("masked_accuracy").asDouble() / 20;
        }
        assertThat(r.steps()).isEqualTo(500);
        assertThat(lastLoss).as("mean loss of the last 20 steps vs first %.3f", first).isLessThan(0.1 * first);
        assertThat(lastAccuracy).as("masked accuracy of the last 20 steps").isGreaterThan(0.9);
        ModelDirectory model = ModelDirectory.open(out.resolve("model"));
        assertThat(model.tensors()).containsKeys("cls.predictions.bias", "cls.predictions.transform.LayerNorm.weight",
                "bert.encoder.layer.1.output.LayerNorm.weight");
        assertThat(rows.get(0).get("grad_norms").has("layer.0")).isTrue();
        assertThat(rows.get(0).get("layer_norm_gamma").has("cls.predictions.transform.LayerNorm.weight")).isTrue();
    }

    /** --decay-ratio 0.25 of 12 steps, warmup 2: the peak holds through step 8, then falls to 0 over 3 steps (HF's WSD). */
    @Test
    void decayRatioHoldsThePeakBeforeTheDecay() throws IOException {
        TinyCorpus.write(tmp, 0.0);
        Path out = tmp.resolve("run");
        Pretraining.Options wsd = TinyCorpus.builder(tmp, out, 12, 1e-3, 0, false, 4).warmupSteps(2L).decayRatio(0.25)
                .build();
        Pretraining.run(wsd, m -> { });
        double[] lr = rows(out.resolve("metrics.jsonl")).stream().mapToDouble(r -> r.get("lr").asDouble()).toArray();
        double[] expected = {0, 5e-4, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3 * 2 / 3, 1e-3 / 3};
        assertThat(lr).hasSize(expected.length);
        for (int i = 0; i < lr.length; i++) {
            assertThat(lr[i]).as("step %d", i + 1).isCloseTo(expected[i], within(1e-15));
        }

        Pretraining.Options tooLong = TinyCorpus.builder(tmp, tmp.resolve("bad"), 12, 1e-3, 0, false, 4).warmupSteps(2L)
                .decayRatio(1.5).build();
        assertThatThrownBy(() -> Pretraining.run(tooLong, m -> { })).hasMessageContaining("--decay-ratio must be in [0, 1]");
        assertThat(tmp.resolve("bad")).as("nothing written for a refused run").doesNotExist();
    }

    /** A document of one unknown word is [CLS] [UNK] [SEP]: nothing to mask, so it must not become a training batch. */
    @Test
    void aSequenceWithNothingToMaskIsNotTrainedOn() throws IOException {
        TinyCorpus.write(tmp, 0.0);
        Files.writeString(tmp.resolve("corpus.txt"), "\n☃☃\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Path out = tmp.resolve("run");
        // seven sequences (one per document) at batch 1 for 20 steps: each, the unknown one too, is a batch of its own
        TrainingLoop.Result r = Pretraining.run(TinyCorpus.options(tmp, out, 20, 1e-3, 0, false, 1), m -> { });
        assertThat(r.steps()).isEqualTo(20);
        for (JsonNode row : rows(out.resolve("metrics.jsonl"))) {
            assertThat(row.get("masked_tokens").asLong()).isPositive();
            assertThat(row.get("loss").asDouble()).isFinite();
        }
    }

    @Test
    void heldOutEvaluationAfterEachCheckpointAndContinuedPretrainingFromADirectory() throws IOException {
        TinyCorpus.write(tmp, 0.0);
        Path first = tmp.resolve("first");
        Pretraining.Options withEval = TinyCorpus.builder(tmp, first, 4, 1e-3, 2, false, 4).evalFraction(0.34).build();
        Pretraining.run(withEval, m -> { });
        List<JsonNode> evals = new ArrayList<>();
        for (String line : Files.readAllLines(first.resolve("metrics.jsonl"), StandardCharsets.UTF_8)) {
            JsonNode row = JSON.readTree(line);
            if (row.has("eval_loss")) {
                evals.add(row);
            }
        }
        assertThat(evals).extracting(r -> r.get("step").asLong()).containsExactly(2L, 4L);
        for (JsonNode e : evals) {
            assertThat(e.get("eval_perplexity").asDouble()).isCloseTo(Math.exp(e.get("eval_loss").asDouble()),
                    org.assertj.core.api.Assertions.within(1e-9));
            assertThat(e.get("eval_masked_accuracy").asDouble()).isBetween(0.0, 1.0);
        }

        // --init-from: the second run starts from the first run's weights (MLM head included), not from a fresh init
        Path second = tmp.resolve("second");
        Pretraining.Options cont = TinyCorpus.builder(tmp, second, 1, 1e-12, 0, false, 4).vocab(null).config(null)
                .initFrom(first.resolve("model")).weightDecay(0.0).keepCheckpoints(1).build();
        Pretraining.run(cont, m -> { });
        var before = ModelDirectory.open(first.resolve("model")).tensors();
        var after = ModelDirectory.open(second.resolve("model")).tensors();
        for (String name : List.of("bert.encoder.layer.1.output.dense.weight", "cls.predictions.bias")) {
            assertThat(after.get(name).sub(before.get(name)).amaxNumber().doubleValue()).as(name).isLessThan(1e-6);
        }
    }

    /** A run killed while writing a checkpoint resumes from the last complete one, bit for bit. */
    @Test
    void killedDuringCheckpointResumesExactly() throws Exception {
        TinyCorpus.write(tmp, 0.1);
        Path uninterrupted = tmp.resolve("a");
        Pretraining.run(TinyCorpus.options(tmp, uninterrupted, 8, 1e-3, 2, false), m -> { });

        Path killed = tmp.resolve("b");
        Process p = new ProcessBuilder(javaBin(), "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"),
                CrashingPretrainMain.class.getName(), tmp.toString(), killed.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("child.log"))).isEqualTo(137);
        assertThat(killed.resolve("checkpoints/checkpoint-4")).isDirectory();
        assertThat(killed.resolve("checkpoints/checkpoint-6")).doesNotExist();

        Pretraining.run(TinyCorpus.options(tmp, killed, 8, 1e-3, 2, true), m -> { });
        List<Double> expected = losses(uninterrupted.resolve("metrics.jsonl"));
        List<Double> resumed = losses(killed.resolve("metrics.jsonl"));
        assertThat(expected).hasSize(8);
        assertThat(resumed).containsExactlyElementsOf(expected);
    }

    @Test
    void emptyCorpusIsAClearError() throws IOException {
        TinyCorpus.write(tmp, 0.0);
        Files.writeString(tmp.resolve("corpus.txt"), "\n\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Pretraining.run(TinyCorpus.options(tmp, tmp.resolve("run"), 5, 1e-3, 0, false), m -> { }))
                .hasMessageContaining("corpus.txt");
        assertThat(tmp.resolve("run/model")).doesNotExist();
    }

    @Test
    void vocabularyThatDoesNotMatchTheConfigIsAClearError() throws IOException {
        TinyCorpus.write(tmp, 0.0);
        List<String> vocab = new ArrayList<>(Files.readAllLines(tmp.resolve("vocab.txt")));
        vocab.add("额外");
        Files.write(tmp.resolve("vocab.txt"), vocab, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Pretraining.run(TinyCorpus.options(tmp, tmp.resolve("run"), 5, 1e-3, 0, false), m -> { }))
                .hasMessageContaining("vocab_size").hasMessageContaining(String.valueOf(vocab.size()));
        assertThat(tmp.resolve("run")).doesNotExist();
    }

    @Test
    void unwritableOutputIsAClearError() throws IOException {
        TinyCorpus.write(tmp, 0.0);
        Path file = tmp.resolve("not-a-folder");
        Files.writeString(file, "x");
        // (tests run as root here, so permissions cannot make a folder unwritable; a file in the path can)
        assertThatThrownBy(() -> Pretraining.run(TinyCorpus.options(tmp, file.resolve("run"), 5, 1e-3, 0, false),
                m -> { })).hasMessageContaining(file.toString());
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<JsonNode> rows(Path metrics) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
            JsonNode row = JSON.readTree(line);
            if (row.has("loss")) {
                rows.add(row);
            }
        }
        return rows;
    }

    private static List<Double> losses(Path metrics) throws IOException {
        return rows(metrics).stream().map(r -> r.get("loss").asDouble()).toList();
    }

    @Test
    void mlmProbabilityMasksMoreTokens() throws IOException {
        TinyCorpus.write(tmp, 0.0);
        long[] masked = new long[2];
        double[] probabilities = {0.15, 0.6};
        for (int i = 0; i < 2; i++) {
            Pretraining.Options o = TinyCorpus.builder(tmp, tmp.resolve("p" + i), 3, 1e-3, 0, false, 4)
                    .maxPredictionsPerSeq(16).mlmProbability(probabilities[i]).build();
            int run = i;
            Pretraining.run(o, m -> masked[run] += m.get("masked_tokens") instanceof Number n ? n.longValue() : 0);
        }
        // BERT's count per sequence is round(tokens * p) (at least 1): 4x the probability, about 4x the masks
        assertThat((double) masked[1] / masked[0]).as("masked tokens at p=0.6 over p=0.15: %s", masked[1] + "/" + masked[0])
                .isBetween(2.5, 5.5);
        Pretraining.Options bad = TinyCorpus.builder(tmp, tmp.resolve("bad"), 3, 1e-3, 0, false, 4).mlmProbability(0.0)
                .build();
        assertThatThrownBy(() -> Pretraining.run(bad, m -> { })).hasMessage("--mlm-probability must be in (0, 1), got 0.0");
        assertThat(tmp.resolve("bad")).doesNotExist();
    }
}
