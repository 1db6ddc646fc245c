package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minibert.model.BlasSelfCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * warmup, head-ln and finetune-drift at the tiny budget over two seeds: each seed's tables, the effect recomputed
 * from them, and the verdict recomputed from seeds.csv.
 */
class TrainingExperimentsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @Test
    void warmupRunsBothSchedulesFromTheSameStartAndJudgesTheLateLoss() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("warmup");
        ExperimentRecord record = Experiments.run(new WarmupExperiment(), data.setup(out, 10), 2, false);

        CsvTable seeds = CsvTable.read(out.resolve(Experiments.SEEDS));
        for (int row = 0; row < 2; row++) {
            CsvTable curves = CsvTable.read(out.resolve("seed-" + (7 + row)).resolve("loss_curves.csv"));
            double[] with = curves.column("with_warmup_loss");
            double[] without = curves.column("without_warmup_loss");
            assertThat(with).hasSize(10);
            // same seed, init and first batch: step 1's loss is computed before any update
            assertThat(with[0]).isEqualTo(without[0]);
            // 10% of 10 steps = 1 warmup step at lr 0, so the runs part from step 2's update on
            assertThat(with[2]).isNotEqualTo(without[2]);
            // the second half of 10 steps: steps 6-10
            double late = Arrays.stream(without, 5, 10).average().orElseThrow()
                    - Arrays.stream(with, 5, 10).average().orElseThrow();
            assertThat(seeds.column(WarmupExperiment.EFFECT)[row]).isCloseTo(late, within(1e-12));
        }
        assertThat(record.verdict()).isEqualTo(Verdict.of(new WarmupExperiment().effect().meaning(),
                seeds.column(WarmupExperiment.EFFECT)));
        assertThat(out.resolve("seed-8/loss_curves.png")).exists();
    }

    @Test
    void headLnTracksTheLastEncoderLayerNormAgainstTheOthersAndTheHead() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("head");
        ExperimentRecord record = Experiments.run(new HeadLnExperiment(), data.setup(out, 6), 2, false);

        CsvTable seeds = CsvTable.read(out.resolve(Experiments.SEEDS));
        for (int row = 0; row < 2; row++) {
            CsvTable finals = CsvTable.read(out.resolve("seed-" + (7 + row)).resolve("gamma_final.csv"));
            List<String> names = finals.labels("layer_norm");
            double[] with = finals.column("with_transform");
            double[] without = finals.column("without_transform");
            assertThat(names).contains(HeadLnExperiment.HEAD_LN, HeadLnExperiment.lastLayerNorm(2));
            assertThat(without[names.indexOf(HeadLnExperiment.HEAD_LN)]).isNaN(); // no head LayerNorm without it
            int last = names.indexOf(HeadLnExperiment.lastLayerNorm(2));
            List<Integer> others = IntStream.range(0, names.size())
                    .filter(i -> names.get(i).startsWith("bert.encoder.") && i != last).boxed().toList();
            assertThat(others).hasSize(3); // layer 0's two, layer 1's attention LayerNorm
            double drift = others.stream().mapToDouble(i -> Math.abs(without[i] - 1)).max().orElseThrow();
            double expected = Math.abs(without[last] - 1) - Math.max(Math.abs(with[last] - 1), drift);
            assertThat(seeds.column(HeadLnExperiment.EFFECT)[row]).isCloseTo(expected, within(1e-12));
            // six Adam steps at lr ≤ 1e-3 move a gamma by at most ~6e-3
            assertThat(with[last]).isCloseTo(1.0, within(0.01));
        }
        assertThat(record.verdict()).isEqualTo(Verdict.of(new HeadLnExperiment().effect().meaning(),
                seeds.column(HeadLnExperiment.EFFECT)));
    }

    @Test
    void finetuneDriftComparesTheRelativeWeightChangeOfBothNormStyles() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("drift");
        ExperimentRecord record = Experiments.run(new FinetuneDriftExperiment(), data.setup(out, 3), 2, false);

        CsvTable seeds = CsvTable.read(out.resolve(Experiments.SEEDS));
        for (int row = 0; row < 2; row++) {
            Path seed = out.resolve("seed-" + (7 + row));
            CsvTable table = CsvTable.read(seed.resolve("relative_weight_change.csv"));
            List<String> groups = table.labels("group");
            assertThat(groups).contains("embeddings", "layer.0", "layer.1", "classifier");
            double[] post = table.column("post_norm");
            double[] pre = table.column("pre_norm");
            assertThat(Arrays.stream(post).boxed().toList()).allMatch(v -> v > 0 && v < 1);
            double postRatio = post[groups.indexOf("layer.0")] / post[groups.indexOf("layer.1")];
            double preRatio = pre[groups.indexOf("layer.0")] / pre[groups.indexOf("layer.1")];
            assertThat(seeds.column(FinetuneDriftExperiment.EFFECT)[row]).isCloseTo(preRatio - postRatio,
                    within(1e-12));
            // the sampled training set: the tiny budget's 24 rows of the 60, written as JSONL
            assertThat(Files.readAllLines(seed.resolve("train.jsonl"))).hasSize(24);
            JsonNode last = ProbeExperimentsTest.metrics(seed.resolve("finetune-post-norm/training/metrics.jsonl"))
                    .stream().filter(r -> r.has("relative_weight_change")).reduce((x, y) -> y).orElseThrow();
            assertThat(last.get("relative_weight_change").get("layer.0").asDouble())
                    .isEqualTo(post[groups.indexOf("layer.0")]);
            // whether the test was fair: the schedule pretrained with, where each model's loss ended against the
            // unigram plateau (the last tenth of its steps: step 3 of 3), the dev accuracy against the majority class
            assertThat(seeds.column("pretrain_steps")[row]).isEqualTo(3.0);
            assertThat(seeds.column("pretrain_warmup_steps")[row]).isEqualTo(0.0);
            assertThat(seeds.column("pretrain_decay_steps")[row]).isEqualTo(3.0);
            for (String style : List.of("post_norm", "pre_norm")) {
                double finalLoss = ProbeExperimentsTest.metrics(seed.resolve("pretrain-" + style.replace('_', '-')
                        + "/metrics.jsonl")).stream().filter(r -> r.has("loss")).reduce((x, y) -> y).orElseThrow()
                        .get("loss").asDouble();
                assertThat(seeds.column(style + "_pretrain_final_loss")[row]).isCloseTo(finalLoss, within(1e-9));
                assertThat(seeds.column(style + "_pretrain_below_plateau")[row]).isCloseTo(
                        seeds.column("unigram_entropy")[row] - finalLoss, within(1e-9));
                assertThat(seeds.column(style + "_dev_accuracy")[row]).isBetween(0.0, 1.0);
            }
            List<String> trainLabels = Files.readAllLines(seed.resolve("train.jsonl")).stream()
                    .map(l -> l.contains("\"poem\"") ? "poem" : "prose").toList();
            List<String> devLabels = Files.readAllLines(seed.resolve("dev.jsonl")).stream()
                    .map(l -> l.contains("\"poem\"") ? "poem" : "prose").toList();
            long poems = trainLabels.stream().filter("poem"::equals).count();
            String majority = poems > trainLabels.size() - poems ? "poem"
                    : poems < trainLabels.size() - poems ? "prose" : "poem"; // a tie: the first label seen in order
            assertThat(seeds.column("dev_majority_share")[row]).isEqualTo(
                    (double) devLabels.stream().filter(majority::equals).count() / devLabels.size());
        }
        assertThat(record.verdict()).isEqualTo(Verdict.of(new FinetuneDriftExperiment().effect().meaning(),
                seeds.column(FinetuneDriftExperiment.EFFECT)));
    }
}
