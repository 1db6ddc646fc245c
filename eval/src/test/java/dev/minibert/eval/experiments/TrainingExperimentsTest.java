package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minibert.model.BlasSelfCheck;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** warmup, head-ln and finetune-drift at the tiny budget: their tables, and verdicts that follow from them. */
class TrainingExperimentsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @Test
    void warmupRunsBothSchedulesFromTheSameStartAndJudgesTheCurves() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("warmup");
        ExperimentRecord record = Experiments.run(new WarmupExperiment(), data.setup(out, 10), false);

        CsvTable curves = CsvTable.read(out.resolve("loss_curves.csv"));
        double[] with = curves.column("with_warmup_loss");
        double[] without = curves.column("without_warmup_loss");
        assertThat(with).hasSize(10);
        // same seed, init and first batch: step 1's loss is computed before any update
        assertThat(with[0]).isEqualTo(without[0]);
        // 10% of 10 steps = 1 warmup step at lr 0, so the runs part from step 2's update on
        assertThat(with[2]).isNotEqualTo(without[2]);
        double unigram = ((Number) record.numbers().get("unigram_entropy")).doubleValue();
        double[] steps = curves.column("step");
        WarmupExperiment.Run a = new WarmupExperiment.Run(LossCurve.plateau(steps, with, unigram),
                LossCurve.divergence(steps, with, new boolean[10]), LossCurve.smooth(with)[9], 10);
        WarmupExperiment.Run b = new WarmupExperiment.Run(LossCurve.plateau(steps, without, unigram),
                LossCurve.divergence(steps, without, new boolean[10]), LossCurve.smooth(without)[9], 10);
        assertThat(record.verdict()).isEqualTo(WarmupExperiment.verdict(a, b, unigram));
        assertThat(out.resolve("loss_curves.png")).exists();
    }

    @Test
    void headLnTracksTheLastEncoderLayerNormAgainstTheOthersAndTheHead() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("head");
        ExperimentRecord record = Experiments.run(new HeadLnExperiment(), data.setup(out, 6), false);

        CsvTable finals = CsvTable.read(out.resolve("gamma_final.csv"));
        List<String> names = finals.labels("layer_norm");
        double[] with = finals.column("with_transform");
        double[] without = finals.column("without_transform");
        assertThat(names).contains(HeadLnExperiment.HEAD_LN, HeadLnExperiment.lastLayerNorm(2));
        assertThat(without[names.indexOf(HeadLnExperiment.HEAD_LN)]).isNaN(); // no head LayerNorm without the transform
        List<Double> othersWithout = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).startsWith("bert.encoder.") && !names.get(i).equals(HeadLnExperiment.lastLayerNorm(2))) {
                othersWithout.add(without[i]);
            }
        }
        assertThat(othersWithout).hasSize(3); // layer 0's two, layer 1's attention LayerNorm
        int last = names.indexOf(HeadLnExperiment.lastLayerNorm(2));
        double drift = othersWithout.stream().mapToDouble(g -> Math.abs(g - 1)).max().orElseThrow();
        double mean = othersWithout.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double otherWith = 0;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).startsWith("bert.encoder.") && i != last) {
                otherWith += with[i] / 3;
            }
        }
        Verdict expected = HeadLnExperiment.verdict(
                new HeadLnExperiment.Gammas(with[last], otherWith, 0, with[names.indexOf(HeadLnExperiment.HEAD_LN)]),
                new HeadLnExperiment.Gammas(without[last], mean, drift, Double.NaN), 6);
        assertThat(record.verdict().status()).isEqualTo(expected.status());
        assertThat(record.verdict().summary()).isEqualTo(expected.summary());
        // six Adam steps at lr ≤ 1e-3 move a gamma by at most ~6e-3
        assertThat(with[last]).isCloseTo(1.0, within(0.01));
    }

    @Test
    void finetuneDriftComparesTheRelativeWeightChangeOfBothNormStyles() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("drift");
        ExperimentRecord record = Experiments.run(new FinetuneDriftExperiment(), data.setup(out, 3), false);

        CsvTable table = CsvTable.read(out.resolve("relative_weight_change.csv"));
        assertThat(table.labels("group")).contains("embeddings", "layer.0", "layer.1", "classifier");
        List<String> groups = table.labels("group");
        double[] post = table.column("post_norm");
        double[] pre = table.column("pre_norm");
        assertThat(java.util.Arrays.stream(post).boxed().toList()).allMatch(v -> v > 0 && v < 1);
        // the numbers the verdict used are the table's
        double postRatio = post[groups.indexOf("layer.0")] / post[groups.indexOf("layer.1")];
        double preRatio = pre[groups.indexOf("layer.0")] / pre[groups.indexOf("layer.1")];
        assertThat(record.verdict().status()).isEqualTo(FinetuneDriftExperiment.verdict(postRatio, preRatio, 1, 1, 2)
                .status());
        assertThat(record.verdict().summary()).contains(String.format(java.util.Locale.ROOT,
                "post-norm %.3g, pre-norm %.3g", postRatio, preRatio));
        // the sampled training set: the tiny budget's 24 rows of the 60, written as JSONL
        assertThat(java.nio.file.Files.readAllLines(out.resolve("train.jsonl"))).hasSize(24);
        JsonNode last = ProbeExperimentsTest.metrics(out.resolve("finetune-post-norm/training/metrics.jsonl"))
                .stream().filter(r -> r.has("relative_weight_change")).reduce((x, y) -> y).orElseThrow();
        assertThat(last.get("relative_weight_change").get("layer.0").asDouble())
                .isEqualTo(post[groups.indexOf("layer.0")]);
    }
}
