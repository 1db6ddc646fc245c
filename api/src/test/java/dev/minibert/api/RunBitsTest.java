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
     * to 76ec2b14…. The float cross-entropy, float LayerNorm (corrected two-pass) and tree-ordered lane sums (#24)
     * changed all four on both kinds. Finetuning's last layer for [CLS] alone (#24: its dropout draws masks for the
     * rows it runs on) changed the finetuning rows and the classifier on both kinds (4259cc50…, a6fa523c… and
     * 2098e92d…, 1ffad301… before); the pretraining ones stayed. Pretraining's last layer for the masked rows alone
     * changed all four on both kinds (cebeb33d…, 43763bf6…, 0ea631a7…, 5a8da899… and 7b00f958…, 178fc396…,
     * f1063cf6…, 4139cd64… before; the finetuning runs start from the pretrained model) to these.
     */
    private static final Map<String, List<String>> EXPECTED = Map.of(
            CpuKind.AVX512, List.of("16c38c5a707e512b06f1b92a91d94a96d612f305e5a8f4dd23ffcfe83736499b",
                    "92bb2614b84c46fc6f48494c68179530e6e2de3a8b21035b57b50755837579a0",
                    "2af10af55b7cfddeea72d801b005187c6596227ce55ffad2afea783bb3106120",
                    "5424832c8d4bcd005a1e15fee772392478334bc2c2fad9e952570fba0231cf09"),
            CpuKind.AVX2, List.of("6746e062dc119221beb5fb34ab4120d39f0fce173397936b48a32c18eec49b95",
                    "2eb047848ee870af309232072311c814de382bcbfbc1e6c097fecabbb1d759ca",
                    "41e86f78e444e9901f36ebfd533d0c1ab01683227380353a5f9a9425f035bfe9",
                    "ad7754c59404269428584d2cd182e0c4d2a681f137a25b9fa304fed430c33e70"));

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
