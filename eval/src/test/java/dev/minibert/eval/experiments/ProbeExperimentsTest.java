package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BlasSelfCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** attenuation and init-std at the tiny budget: their files, and verdicts that follow from the files' numbers. */
class ProbeExperimentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @Test
    void attenuationWritesEachSeedsTablesAndAVerdictRecomputableFromThem() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("att");
        ExperimentRecord record = Experiments.run(new AttenuationExperiment(), data.setup(out, 4), 2, false);

        assertThat(out).isDirectoryContaining("glob:**/report.html").isDirectoryContaining("glob:**/experiment.json");
        assertThat(siblings(out)).as("no temporary folder left").containsExactly(out.getFileName().toString());
        CsvTable seeds = CsvTable.read(out.resolve(Experiments.SEEDS));
        assertThat(seeds.column("seed")).containsExactly(7, 8);
        for (int row = 0; row < 2; row++) {
            Path seed = out.resolve("seed-" + (7 + row));
            for (String png : List.of("activation_grad_norms.png", "weight_grad_norms.png", "weight_grad_ratio.png")) {
                assertThat(Files.size(seed.resolve(png))).as(png).isGreaterThan(1000);
            }
            // the per-step ratios are layer.0 / layer.1 of the weight-gradient norms the training loop logged
            CsvTable ratio = CsvTable.read(seed.resolve("weight_grad_ratio.csv"));
            List<JsonNode> rows = metrics(seed.resolve("post-norm/metrics.jsonl"));
            assertThat(ratio.size()).isEqualTo(4).isEqualTo(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                JsonNode g = rows.get(i).get("grad_norms");
                assertThat(ratio.column("post_weight_ratio")[i])
                        .isCloseTo(g.get("layer.0").asDouble() / g.get("layer.1").asDouble(), within(1e-12));
            }
            // the tiny budget's trough window is steps 2-4: the median of those three steps of each curve
            double post = middleOfThree(ratio.column("post_weight_ratio"));
            double pre = middleOfThree(ratio.column("pre_weight_ratio"));
            assertThat(seeds.column(AttenuationExperiment.EFFECT)[row]).isCloseTo(Math.log10(pre / post), within(1e-12));
            assertThat(seeds.column("window_from")[row]).isEqualTo(2);
        }
        Verdict expected = Verdict.of(new AttenuationExperiment().effect().meaning(),
                seeds.column(AttenuationExperiment.EFFECT));
        assertThat(record.verdict()).isEqualTo(expected);
        ExperimentRecord saved = ExperimentRecord.read(out);
        assertThat(saved.verdict()).isEqualTo(expected);
        assertThat(saved.command()).isEqualTo("minibert experiment test");
        assertThat(saved.config()).containsEntry("budget", "tiny").containsEntry("layers", 2);
        assertThat(saved.provenance()).containsEntry("seeds", List.of(7, 8)).containsKeys("commit", "cpu", "cores",
                "wall_seconds", "nd4j", "java");
        assertThat(saved.provenance().get("nd4j")).isEqualTo("1.0.0-M2.1");
        assertThat(saved.peer()).isEqualTo("not run: not in this test");
        Map<?, ?> effect = (Map<?, ?>) saved.numbers().get(AttenuationExperiment.EFFECT);
        assertThat((List<?>) effect.get("per_seed")).hasSize(2);
        CsvTable act = CsvTable.read(out.resolve("seed-7/activation_grad_norms.csv"));
        // at init no step has been taken: the trained and init columns differ, post and pre differ
        assertThat(act.column("post_trained")[0]).isNotEqualTo(act.column("post_init")[0]);
        assertThat(act.column("pre_init")[0]).isNotEqualTo(act.column("post_init")[0]);

        // the report is rebuilt from the folder alone
        Files.delete(out.resolve("report.html"));
        Files.delete(out.resolve("seed-8/weight_grad_ratio.png"));
        ExperimentSection.writeReport(out);
        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html).contains("Experiment attenuation", expected.status().label(), "data:image/png;base64,",
                "Seed 8", "steps 2-4");
        assertThat(out.resolve("seed-8/weight_grad_ratio.png")).exists();
    }

    @Test
    void thePeerRunsBesideTheFirstSeedWhenTorchIsThereAndSaysWhyNotOtherwise() throws IOException {
        assertThat(PeerScripts.at(Path.of("../scripts"), tmp.resolve("no-peers")).missing(PeerScripts.PRETRAIN))
                .isEqualTo(tmp.resolve("no-peers") + ": no torch_bert.py (the shared PyTorch peers; pass --peers)");
        assertThat(PeerScripts.at(tmp, Path.of("../scripts/peer")).missing(PeerScripts.INIT_STD))
                .isEqualTo(tmp + ": no peer_init_std.py (minibert's checkout is incomplete)");
        PeerScripts peer = PeerScripts.at(Path.of("../scripts"), Path.of("../scripts/peer"));
        String missing = peer.missing(PeerScripts.PRETRAIN);
        assumeTrue(missing == null, missing);
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("att");
        ExperimentSetup setup = data.setup(out, 4);
        ExperimentRecord record = Experiments.run(new AttenuationExperiment(), new ExperimentSetup(setup.budget(),
                setup.corpus(), setup.vocab(), null, null, out, 7, 4, "c", peer), 1, false);
        assumeTrue(!record.peer().equals("not run: " + PeerScripts.NO_TORCH), record.peer());

        CsvTable both = CsvTable.read(out.resolve("seed-7/peer_ratio.csv"));
        List<JsonNode> lines = metrics(out.resolve("seed-7/peer-post-norm.jsonl"));
        assertThat(lines).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(both.column("post_peer")[i]).isEqualTo(lines.get(i).get("ratio").asDouble());
        }
        assertThat(both.column("pre_ours")).containsExactly(
                CsvTable.read(out.resolve("seed-7/weight_grad_ratio.csv")).column("pre_weight_ratio"));
        double post = middleOfThree(both.column("post_ours"));
        double postPeer = middleOfThree(both.column("post_peer"));
        assertThat(record.peer()).contains(String.format(java.util.Locale.ROOT, "post-norm %.3g (peer %.3g)", post,
                postPeer), String.format(java.util.Locale.ROOT, "%.0f%% (post)",
                100 * Math.abs(post - postPeer) / postPeer));
        double prePeer = middleOfThree(both.column("pre_peer"));
        CsvTable seeds = CsvTable.read(out.resolve("seeds.csv"));
        assertThat(record.peer()).contains(AttenuationExperiment.againstSeeds(seeds, postPeer, prePeer),
                SeedRange.of(seeds.column(AttenuationExperiment.EFFECT)).peerEffect(Math.log10(prePeer / postPeer)));
        assertThat(out.resolve("seed-7/peer-corpus.tok.jsonl")).doesNotExist();
        assertThat(Files.readString(out.resolve("report.html"))).contains("PyTorch peer: scripts/peer_pretrain.py");
    }

    @Test
    void aRecordFromBeforeSeedsNamesTheFileInsteadOfFailingLater() throws IOException {
        Path old = Files.createDirectories(tmp.resolve("old"));
        Files.writeString(old.resolve(ExperimentRecord.FILE), "{\"name\":\"head-ln\",\"claim\":\"c\",\"command\":"
                + "\"minibert experiment head-ln\",\"effect\":\"e\",\"effect_meaning\":\"m\",\"budget_note\":\"b\","
                + "\"peer\":\"p\",\"verdict\":\"shown\",\"summary\":\"s\",\"numbers\":{\"steps\":400}}");
        assertThatThrownBy(() -> ExperimentRecord.read(old)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(old.resolve(ExperimentRecord.FILE) + ": no provenance.seeds");
    }

    private static double middleOfThree(double[] column) {
        double[] w = java.util.Arrays.copyOfRange(column, 1, 4);
        java.util.Arrays.sort(w);
        return w[1];
    }

    @Test
    void anEarlierExperimentIsReplacedOnlyWithOverwriteWhichKeepsTheUsersFiles() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("init");
        Experiments.run(new InitStdExperiment(), data.setup(out, null), 1, false);
        String first = Files.readString(out.resolve(Experiments.SEEDS));
        Files.writeString(out.resolve("notes.txt"), "mine");
        Files.writeString(out.resolve("seed-7/notes.txt"), "mine too"); // inside a folder the run wrote
        Files.delete(out.resolve(ExperimentRecord.FILE)); // an entry of the old run gone: --overwrite must not mind

        assertThatThrownBy(() -> Experiments.run(new InitStdExperiment(), data.setup(out, null), 1, false))
                .hasMessage(out + " already holds a minibert experiment run; pass --overwrite to replace it");
        Experiments.run(new InitStdExperiment(), data.setup(out, null), 1, true);

        assertThat(out.resolve("notes.txt")).hasContent("mine");
        assertThat(out.resolve("seed-7/notes.txt")).hasContent("mine too");
        assertThat(out.resolve("seed-7/init_std.csv")).isRegularFile();
        assertThat(Files.readString(out.resolve(Experiments.SEEDS))).as("deterministic per seed").isEqualTo(first);
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no staging folder left")
                    .noneMatch(n -> n.startsWith(".minibert-staging"));
        }
    }

    @Test
    void initStdMeasuresEveryInitializerOnTheSameBatchForEachSeed() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("init");
        ExperimentRecord record = Experiments.run(new InitStdExperiment(), data.setup(out, null), 3, false);

        CsvTable seeds = CsvTable.read(out.resolve(Experiments.SEEDS));
        double[] effect = seeds.column(InitStdExperiment.EFFECT);
        for (int row = 0; row < 3; row++) {
            CsvTable summary = CsvTable.read(out.resolve("seed-" + (7 + row)).resolve("init_std.csv"));
            assertThat(summary.labels("init")).containsExactly("std_0.02", "std_0.05", "std_0.1", "std_0.2", "xavier",
                    "std_0.02", "std_0.05", "std_0.1", "std_0.2", "xavier");
            double[] ratio = summary.column("activation_ratio");
            double[] loss = summary.column("loss");
            assertThat(loss).doesNotHaveDuplicates(); // ten different models
            // at std 0.02 the MLM loss at init is close to ln(vocab size): the logits are nearly uniform
            int vocab = Files.readAllLines(data.vocab).size();
            assertThat(loss[0]).isCloseTo(Math.log(vocab), within(0.1));
            assertThat(effect[row]).isCloseTo(Math.log(ratio[0] / ratio[2]), within(1e-12));
            assertThat(out.resolve("seed-" + (7 + row)).resolve("activation_ratio.png")).exists();
        }
        assertThat(effect).doesNotHaveDuplicates(); // each seed its own init and probe batch
        assertThat(record.verdict()).isEqualTo(Verdict.of(new InitStdExperiment().effect().meaning(), effect));
        assertThat(record.numbers()).containsKeys("post-norm_std_0.02_activation_ratio", "pre-norm_xavier_log_slope");
    }

    @Test
    void refusesAFolderThatHoldsSomethingAndLeavesNothingBehindWhenAnExperimentFails() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("keep.txt"), "x");
        assertThatThrownBy(() -> Experiments.run(new InitStdExperiment(), data.setup(used, null), 1, false))
                .hasMessageContaining(used + " is not empty and is not a minibert output folder");
        assertThat(used.resolve("keep.txt")).hasContent("x");

        Path out = tmp.resolve("drift");
        ExperimentSetup noLabels = new ExperimentSetup(Budget.TINY, data.corpus, data.vocab, null, null, out, 7, 2, "c",
                PeerScripts.none("test"));
        assertThatThrownBy(() -> Experiments.run(new FinetuneDriftExperiment(), noLabels, 1, false))
                .hasMessageContaining("needs a labeled training and dev set");
        assertThat(siblings(out)).doesNotContain("drift").noneMatch(n -> n.startsWith(".drift"));
    }

    private static List<String> siblings(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(dir.getFileName().toString())).toList();
        }
    }

    static List<JsonNode> metrics(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }
}
