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
 * recorded bits.
 */
class RunBitsTest {
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    /**
     * Per {@link CpuKind}: sha256 of the pretraining rows, its model, the finetuning rows, the classifier. On
     * 8e6ccba (OpenBLAS's sgemm) this test printed 62d613d8…, d549ec60…, 59e047f2…, 5e181d0e… on the project's
     * Zen 4, and the step's move reproduced them; the products' move to oneDNN changed them to these.
     */
    private static final Map<String, List<String>> EXPECTED = Map.of(
            CpuKind.AVX512, List.of("6d73c7acbbf6dc2a08fe2eb82987d6cd6642490c0243afa357fa54078b66ec25",
                    "5879830fc64c42f7489a5d26d8f1c620dd9e2b18a60a8d98b2478619c43df89a",
                    "d2a30c86572431cacae6bef7c452eb3820d0af00c0d23799799d597bfa84dd28",
                    "ed07693b6250ba61ee66066ef9c9ee0a11a6387c4f6a27e4b129eb7bed225172"),
            CpuKind.AVX2, List.of("bb58713d84f832881dbffc0a0856d19527fa77d2cd6db2a34ee5816945e1560d",
                    "2bd35c693d3cecfe0659f7b7ae1042c08f67c3beb26aa66593fb1aab134a5c40",
                    "97c2bdb3a52a962f9e40bf8715da8725b4c0eed752f0c35088c18bf62d1aa38c",
                    "40ff629e5c80eeb50ba6d17799a4d024784d43448a54087edd50d926eb3b7840"));

    @TempDir
    Path dir;

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void runsReproduceTheRecordedBits() throws Exception {
        CpuKind.assertBits(RunBitsTest.class, EXPECTED, () -> run(Files.createTempDirectory(dir, "runs")), dir);
    }

    /** The child JVM of {@link CpuKind#assertBits} on a CPU kind with no record: the AVX2 kind's check. */
    public static final class Avx2 {
        public static void main(String[] args) throws Exception {
            CpuKind.checkAvx2Child(EXPECTED, () -> run(Files.createTempDirectory(Path.of("").toAbsolutePath(), "runs")));
        }
    }

    /** The two runs in dir; returns {@link #EXPECTED}'s four hashes. */
    static List<String> run(Path dir) throws IOException {
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

        assertThat(Files.readString(run.resolve("metrics.jsonl"))).as("held-out evaluation ran").contains("eval_loss");
        assertThat(Files.readString(classifier.resolve("training/metrics.jsonl"))).as("dev evaluation ran")
                .contains("dev_accuracy");
        return List.of(rowsSha(run.resolve("metrics.jsonl")), Sha256.of(run.resolve("model/model.safetensors")),
                rowsSha(classifier.resolve("training/metrics.jsonl")), Sha256.of(classifier.resolve("model.safetensors")));
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
