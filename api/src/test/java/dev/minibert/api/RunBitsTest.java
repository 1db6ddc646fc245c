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
     * Zen 4, and the step's move reproduced them; the products' move to oneDNN changed them to 6d73c7ac…,
     * 5879830f…, d2a30c86…, ed07693b… (AVX-512) and bb58713d…, 2bd35c69…, 97c2bdb3…, 40ff629e… (AVX2). Batch-invariant
     * inference (issue #22) changed them to these: on AVX-512 only the pretraining rows (the held-out evaluation
     * runs under noGrad, whose products are now padded to 16 rows); on AVX2 all four, as the attention softmax now
     * sums a row's tail into its 8 lanes (rows of 9 to 15 keys) in training too. Batch invariance on oneDNN's AVX2
     * kernels (its own row and column regimes) changed the AVX2 pretraining rows (held-out evaluation) from 09843230…
     * to 76ec2b14…. The float cross-entropy, float LayerNorm and tree-ordered lane sums (#24) changed all four on both kinds to these.
     */
    private static final Map<String, List<String>> EXPECTED = Map.of(
            CpuKind.AVX512, List.of("b6177a22b072531b768d17331f6c37dedc2634504ea19aa16fd8349d7953dadf",
                    "728931bdcce7e2ed179ad8a9e8f93a39818fc624dc091c34848b0d2afe986f7a",
                    "13d5080d09f99cab7ca6cd301a8753ba411074ad3c6aede0b6cf7b8a318a2470",
                    "fa43c5c822fdb674606eea03df196a9811f1f173d91e9d42157a3ff100f1a033"),
            CpuKind.AVX2, List.of("e1d74b293bc1bf09dd7edd43e973776dc53a6fde0737215ae965d1f7bfc4ed83",
                    "c9fdd2fdaede9bf584cd0f947a7d7a348789af6808dce6a6e912b32cb64b3bba",
                    "a7ed8aa54b9048a5306f6e17041d05ab155bd1168b4572d89cd74d1d3a17410d",
                    "0dde0a888464c8bfd0544b0e93d54ed360ace7f65f6b112ab2889ca77c8c09f3"));

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
