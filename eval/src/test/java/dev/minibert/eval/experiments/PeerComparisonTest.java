package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minibert.model.BlasSelfCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch peer beside init-std, head-ln, warmup and finetune-drift at the tiny budget (attenuation's is in ProbeExperimentsTest):
 * the peer's numbers sit in the seed's CSV exactly as its scripts printed them, the agreement line is recomputed from
 * those files, and the peer's own runs behave as the recipe says. Skipped where /usr/bin/python3 has no torch.
 */
class PeerComparisonTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    /** One seed of {@code experiment} with the repository's peer scripts, or skipped when they cannot run. */
    private ExperimentRecord runWithPeer(Experiment experiment, String script, Integer steps) throws IOException {
        PeerScripts peer = PeerScripts.at(Path.of("../scripts"), Path.of("../scripts/peer"));
        String missing = peer.missing(script);
        assumeTrue(missing == null, missing);
        TinyData data = TinyData.write(tmp);
        ExperimentSetup setup = data.setup(tmp.resolve("out"), steps);
        ExperimentRecord record = Experiments.run(experiment, new ExperimentSetup(setup.budget(), setup.corpus(),
                setup.vocab(), setup.labeledTrain(), setup.labeledDev(), setup.dir(), 7, steps, "c", peer), 1, false);
        assumeTrue(!record.peer().equals("not run: " + PeerScripts.NO_TORCH), record.peer());
        assertThat(tmp.resolve("out/seed-7/peer-corpus.tok.jsonl")).doesNotExist();
        return record;
    }

    @Test
    void initStdSetsThePeersRatioBesideOursForEveryInitializer() throws IOException {
        ExperimentRecord record = runWithPeer(new InitStdExperiment(), PeerScripts.INIT_STD, null);
        Path seed = tmp.resolve("out/seed-7");
        CsvTable both = CsvTable.read(seed.resolve(InitStdExperiment.PEER_CSV));
        CsvTable peer = CsvTable.read(seed.resolve("peer-init-std.csv"));
        CsvTable ours = CsvTable.read(seed.resolve(InitStdExperiment.SUMMARY_CSV));
        assertThat(both.labels("init")).isEqualTo(ours.labels("init")).isEqualTo(peer.labels("init"));
        assertThat(both.column("activation_ratio")).containsExactly(ours.column("activation_ratio"));
        assertThat(both.column("activation_ratio_peer")).containsExactly(peer.column("activation_ratio"));
        double[] p = peer.column("activation_ratio");
        assertThat(Arrays.stream(p).boxed().toList()).allMatch(r -> r > 0 && Double.isFinite(r))
                .doesNotHaveDuplicates(); // ten different models
        double[] o = ours.column("activation_ratio");
        assertThat(record.peer()).contains(String.format(Locale.ROOT, "at std 0.02 %.3f (peer %.3f), at 0.1 %.3f "
                + "(peer %.3f); the effect %.3f here, %.3f in the peer", o[0], p[0], o[2], p[2], Math.log(o[0] / o[2]),
                Math.log(p[0] / p[2])));
        assertThePeersEffectIsPlacedBesideOurSeed(record, InitStdExperiment.EFFECT, Math.log(p[0] / p[2]));
        assertThat(Files.readString(tmp.resolve("out/report.html"), StandardCharsets.UTF_8)).contains("PyTorch peer");
    }

    @Test
    void headLnSetsThePeersGammaCurvesBesideOurs() throws IOException {
        ExperimentRecord record = runWithPeer(new HeadLnExperiment(), PeerScripts.PRETRAIN, 6);
        Path seed = tmp.resolve("out/seed-7");
        CsvTable both = CsvTable.read(seed.resolve(HeadLnExperiment.PEER_CSV));
        List<JsonNode> without = ProbeExperimentsTest.metrics(seed.resolve("peer-without-transform.jsonl"));
        List<JsonNode> with = ProbeExperimentsTest.metrics(seed.resolve("peer-with-transform.jsonl"));
        String last = HeadLnExperiment.lastLayerNorm(2);
        assertThat(without).hasSize(6);
        assertThat(without.get(0).get("layer_norm_gamma").has(HeadLnExperiment.HEAD_LN)).isFalse();
        assertThat(with.get(0).get("layer_norm_gamma").has(HeadLnExperiment.HEAD_LN)).isTrue();
        CsvTable ours = CsvTable.read(seed.resolve(HeadLnExperiment.GAMMA_CSV));
        double gap = 0;
        for (int i = 0; i < 6; i++) {
            double peerWithout = without.get(i).get("layer_norm_gamma").get(last).get("mean").asDouble();
            assertThat(both.column("without_last_ln_peer")[i]).isEqualTo(peerWithout);
            assertThat(both.column("with_last_ln_peer")[i])
                    .isEqualTo(with.get(i).get("layer_norm_gamma").get(last).get("mean").asDouble());
            assertThat(both.column("without_last_ln")[i]).isEqualTo(ours.column("without_last_ln")[i]);
            // Adam moves a weight by at most about lr per step: after step i+1 at lr <= 1e-3, |gamma - 1| < (i+1)e-3
            assertThat(peerWithout).isCloseTo(1.0, within((i + 1) * 1.01e-3));
            gap = Math.max(gap, Math.abs(ours.column("without_last_ln")[i] - peerWithout));
        }
        assertThat(record.peer()).contains(String.format(Locale.ROOT, "differ by at most %.4f at any step", gap),
                String.format(Locale.ROOT, "without the head transform %.4f (peer %.4f)",
                        ours.column("without_last_ln")[5], both.column("without_last_ln_peer")[5]));
    }

    @Test
    void warmupSetsThePeersLossCurvesBesideOurs() throws IOException {
        ExperimentRecord record = runWithPeer(new WarmupExperiment(), PeerScripts.PRETRAIN, 10);
        Path seed = tmp.resolve("out/seed-7");
        CsvTable both = CsvTable.read(seed.resolve(WarmupExperiment.PEER_CSV));
        List<JsonNode> with = ProbeExperimentsTest.metrics(seed.resolve("peer-with-warmup.jsonl"));
        List<JsonNode> without = ProbeExperimentsTest.metrics(seed.resolve("peer-without-warmup.jsonl"));
        double[] peerWith = with.stream().mapToDouble(r -> r.get("loss").asDouble()).toArray();
        double[] peerWithout = without.stream().mapToDouble(r -> r.get("loss").asDouble()).toArray();
        assertThat(both.column("with_warmup_loss_peer")).containsExactly(peerWith);
        assertThat(both.column("without_warmup_loss_peer")).containsExactly(peerWithout);
        // the same seed, init and first batch in both peer runs: step 1's loss comes before any update
        assertThat(peerWith[0]).isEqualTo(peerWithout[0]);
        // near-uniform logits at init: about ln(vocab size)
        int vocab = Files.readAllLines(tmp.resolve("vocab.txt")).size();
        assertThat(peerWith[0]).isCloseTo(Math.log(vocab), within(0.3));
        double lateWith = Arrays.stream(peerWith, 5, 10).average().orElseThrow();
        double lateWithout = Arrays.stream(peerWithout, 5, 10).average().orElseThrow();
        assertThat(record.peer()).contains(String.format(Locale.ROOT, "with warmup %.3f (peer %.3f)",
                WarmupExperiment.lateMean(both.column("step"), both.column("with_warmup_loss"), 10, Double.NaN),
                lateWith), String.format(Locale.ROOT, "%.3f in the peer", lateWithout - lateWith));
        assertThePeersEffectIsPlacedBesideOurSeed(record, WarmupExperiment.EFFECT, lateWithout - lateWith);
    }

    @Test
    void finetuneDriftFinetunesThePeerFromTheSamePretrainedWeights() throws IOException {
        ExperimentRecord record = runWithPeer(new FinetuneDriftExperiment(), PeerScripts.FINETUNE, 3);
        Path seed = tmp.resolve("out/seed-7");
        CsvTable both = CsvTable.read(seed.resolve(FinetuneDriftExperiment.PEER_CSV));
        CsvTable ours = CsvTable.read(seed.resolve(FinetuneDriftExperiment.DRIFT_CSV));
        List<String> groups = both.labels("group");
        assertThat(groups).isEqualTo(ours.labels("group"));
        assertThat(both.column("pre_norm")).containsExactly(ours.column("pre_norm"));
        double[] peer = new double[2];
        for (String style : List.of("post-norm", "pre-norm")) {
            JsonNode change = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(seed.resolve("peer-finetune-" + style + ".json").toFile()).get("relative_weight_change");
            String column = style.replace('-', '_') + "_peer";
            for (String g : List.of("embeddings", "layer.0", "layer.1", "classifier")) {
                double v = both.column(column)[groups.indexOf(g)];
                assertThat(v).isEqualTo(change.get(g).asDouble());
                assertThat(v).isPositive(); // every part takes AdamW steps (24 rows, batch 4: 6 steps)
            }
            // a layer's ‖W₀‖ holds its LayerNorm gammas (‖1‖ = √hidden each), the classifier's only std-0.02 weights:
            // the same few AdamW steps are a larger share of the classifier
            assertThat(change.get("classifier").asDouble()).isGreaterThan(change.get("layer.0").asDouble());
            peer[style.equals("post-norm") ? 0 : 1] = change.get("layer.0").asDouble() / change.get("layer.1").asDouble();
        }
        assertThat(seed.resolve("peer-train.tok.jsonl")).doesNotExist();
        assertThat(record.peer()).contains(String.format(Locale.ROOT, "the effect %.3f here, %.3f in the peer",
                CsvTable.read(tmp.resolve("out").resolve(Experiments.SEEDS)).column(FinetuneDriftExperiment.EFFECT)[0],
                peer[1] - peer[0]));
        assertThePeersEffectIsPlacedBesideOurSeed(record, FinetuneDriftExperiment.EFFECT, peer[1] - peer[0]);
    }

    /**
     * Every peer statement places the peer's effect against our seeds' (here one seed, so one more draw falls
     * outside it with probability 2/(1+1) = 1).
     */
    private void assertThePeersEffectIsPlacedBesideOurSeed(ExperimentRecord record, String effect, double peerEffect)
            throws IOException {
        double ours = CsvTable.read(tmp.resolve("out").resolve(Experiments.SEEDS)).column(effect)[0];
        String place = peerEffect < ours ? "below" : peerEffect > ours ? "above" : "inside";
        assertThat(record.peer()).contains(String.format(Locale.ROOT, "the peer's effect %.3g lies %s our one seed's "
                + "%.3g (one more draw", peerEffect, place, ours), "with probability 2/(n+1) = 1.00");
    }
}
