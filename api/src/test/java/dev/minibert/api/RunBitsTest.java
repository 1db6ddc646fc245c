package dev.minibert.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.minibert.model.BertConfig;
import dev.minibert.model.Parallel;
import dev.minibert.model.io.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression anchor for moving the training step and the run set-up: a whole pretraining run and a whole finetuning
 * run through the library's builders (warmup, decay, gradient accumulation, dropout, held-out and dev evaluation,
 * length-grouped batches), at 1 thread. Every metrics row but its timings, and the saved weights, must stay the
 * bits that this test printed on commit 8e6ccba, before the step moved.
 */
class RunBitsTest {
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    /** sha256 of the pretraining rows, its model, the finetuning rows, the classifier. */
    private static final List<String> EXPECTED = List.of(
            "62d613d8b7c228c3cd47d3bb8b7b4fc91c65d83403ebee09d39fcd74dae5a922",
            "d549ec6069208adfb031333d5243a57354f0631b64f3ea596345c989f8a094d8",
            "59e047f2f9b0c30156ebc4c3c3987b9438a03d64c81f40184fd1d5263276f625",
            "5e181d0e0258de0c80c1c5c988ec95c3e1b9280278047167fbce69b5ca57d9d2");

    @TempDir
    Path dir;

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void runsReproduceTheRecordedBits() throws IOException {
        BertConfig withDropout = BertConfig.builder().vocabSize(TinyModels.config().vocabSize).hiddenSize(16)
                .numHiddenLayers(2).numAttentionHeads(2).intermediateSize(32).maxPositionEmbeddings(16)
                .hiddenDropoutProb(0.1).attentionProbsDropoutProb(0.1).build();
        Path config = Files.writeString(dir.resolve("config.json"), withDropout.toJsonString(), StandardCharsets.UTF_8);
        Path corpus = dir.resolve("corpus.txt");
        List<String> lines = new ArrayList<>();
        for (int copy = 0; copy < 4; copy++) {
            lines.addAll(TinyModels.CORPUS);
            lines.add("");
        }
        Files.write(corpus, lines, StandardCharsets.UTF_8);
        Path run = dir.resolve("run");
        Pretrain.corpus(List.of(corpus)).config(config).vocab(TinyModels.vocabTxt(dir.resolve("vocab.txt")))
                .out(run).maxSteps(6).batchSize(2).gradientAccumulation(2).maxSeqLen(16).learningRate(1e-3)
                .warmupRatio(0.34).decayRatio(0.5).evalFraction(0.25).saveEvery(3).logEvery(2).seed(5).threads(1)
                .run();
        Path classifier = dir.resolve("classifier");
        Path csv = TinyModels.labeledCsv(dir.resolve("t.csv"));
        Finetune.model(run.resolve("model")).train(csv).dev(csv).out(classifier).epochs(3).batchSize(3)
                .gradientAccumulation(2).learningRate(1e-3).warmupSteps(1).logEvery(1).groupByLength(true).seed(9)
                .threads(1).run();

        List<String> bits = List.of(rowsSha(run.resolve("metrics.jsonl")),
                Sha256.of(run.resolve("model/model.safetensors")),
                rowsSha(classifier.resolve("training/metrics.jsonl")),
                Sha256.of(classifier.resolve("model.safetensors")));
        assertThat(bits).isEqualTo(EXPECTED);
        assertThat(Files.readString(run.resolve("metrics.jsonl"))).as("held-out evaluation ran").contains("eval_loss");
        assertThat(Files.readString(classifier.resolve("training/metrics.jsonl"))).as("dev evaluation ran")
                .contains("dev_accuracy");
    }

    /** The rows without their wall-clock figures, which differ from run to run, keys sorted. */
    private static String rowsSha(Path metrics) throws IOException {
        StringBuilder rows = new StringBuilder();
        for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
            Map<?, ?> row = JSON.readValue(line, Map.class);
            row.remove("step_seconds");
            row.remove("tokens_per_s");
            rows.append(JSON.writeValueAsString(row)).append('\n');
        }
        return Sha256.of(rows.toString().getBytes(StandardCharsets.UTF_8));
    }
}
