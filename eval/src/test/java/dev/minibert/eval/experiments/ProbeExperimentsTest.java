package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BlasSelfCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void attenuationWritesItsTablesAndAVerdictComputedFromThem() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("att");
        ExperimentRecord record = Experiments.run(new AttenuationExperiment(), data.setup(out, 4), false);

        assertThat(out).isDirectoryContaining("glob:**/report.html").isDirectoryContaining("glob:**/experiment.json");
        for (String png : List.of("activation_grad_norms.png", "weight_grad_norms.png", "weight_grad_ratio.png")) {
            assertThat(Files.size(out.resolve(png))).as(png).isGreaterThan(1000);
        }
        assertThat(siblings(out)).as("no temporary folder left").containsExactly(out.getFileName().toString());
        // the per-step ratios are layer.0 / layer.1 of the weight-gradient norms the training loop logged
        CsvTable ratio = CsvTable.read(out.resolve("weight_grad_ratio.csv"));
        List<JsonNode> rows = metrics(out.resolve("post-norm/metrics.jsonl"));
        assertThat(ratio.size()).isEqualTo(4).isEqualTo(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode g = rows.get(i).get("grad_norms");
            assertThat(ratio.column("post_weight_ratio")[i])
                    .isCloseTo(g.get("layer.0").asDouble() / g.get("layer.1").asDouble(), within(1e-12));
        }
        // the verdict is the rule applied to the tables' numbers: medians of steps 3-4, and the init activations
        CsvTable act = CsvTable.read(out.resolve("activation_grad_norms.csv"));
        double[] post = ratio.column("post_weight_ratio");
        double[] pre = ratio.column("pre_weight_ratio");
        int lowest = 0;
        for (int i = 1; i < post.length; i++) {
            lowest = post[i] < post[lowest] ? i : lowest;
        }
        Verdict expected = AttenuationExperiment.verdict((post[2] + post[3]) / 2, (pre[2] + pre[3]) / 2, post[lowest],
                lowest + 1, 2,
                act.column("post_init")[0] / act.column("post_init")[1],
                act.column("pre_init")[0] / act.column("pre_init")[1]);
        assertThat(record.verdict()).isEqualTo(expected);
        ExperimentRecord saved = ExperimentRecord.read(out);
        assertThat(saved.verdict()).isEqualTo(expected);
        assertThat(saved.command()).isEqualTo("minibert experiment test");
        assertThat(saved.config()).containsEntry("budget", "tiny").containsEntry("layers", 2);
        // at init no step has been taken: the trained and init columns differ, post and pre differ
        assertThat(act.column("post_trained")[0]).isNotEqualTo(act.column("post_init")[0]);
        assertThat(act.column("pre_init")[0]).isNotEqualTo(act.column("post_init")[0]);

        // the report is rebuilt from the folder alone
        Files.delete(out.resolve("report.html"));
        Files.delete(out.resolve("weight_grad_ratio.png"));
        ExperimentSection.writeReport(out);
        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html).contains("Experiment attenuation", expected.status().label(), "data:image/png;base64,");
        assertThat(out.resolve("weight_grad_ratio.png")).exists();
    }

    @Test
    void anEarlierExperimentIsReplacedOnlyWithOverwriteWhichKeepsTheUsersFiles() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("init");
        Experiments.run(new InitStdExperiment(), data.setup(out, null), false);
        Files.writeString(out.resolve("notes.txt"), "mine");
        Files.delete(out.resolve("init_std.csv")); // an entry of the old run gone: --overwrite must not mind

        assertThatThrownBy(() -> Experiments.run(new InitStdExperiment(), data.setup(out, null), false))
                .hasMessage(out + " already holds a minibert experiment run; pass --overwrite to replace it");
        Experiments.run(new InitStdExperiment(), data.setup(out, null), true);

        assertThat(out.resolve("notes.txt")).hasContent("mine");
        assertThat(out.resolve("init_std.csv")).isRegularFile();
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no staging folder left")
                    .noneMatch(n -> n.startsWith(".minibert-staging"));
        }
    }

    @Test
    void initStdMeasuresEveryInitializerOnTheSameBatch() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path out = tmp.resolve("init");
        ExperimentRecord record = Experiments.run(new InitStdExperiment(), data.setup(out, null), false);

        CsvTable summary = CsvTable.read(out.resolve("init_std.csv"));
        assertThat(summary.labels("init")).containsExactly("std_0.02", "std_0.05", "std_0.1", "std_0.2", "xavier",
                "std_0.02", "std_0.05", "std_0.1", "std_0.2", "xavier");
        double[] ratio = summary.column("activation_ratio");
        double[] loss = summary.column("loss");
        assertThat(loss).doesNotHaveDuplicates(); // ten different models
        // at std 0.02 the MLM loss at init is close to ln(vocab size): the logits are nearly uniform
        int vocab = Files.readAllLines(data.vocab).size();
        assertThat(loss[0]).isCloseTo(Math.log(vocab), within(0.1));
        assertThat(record.verdict()).isEqualTo(InitStdExperiment.verdict(java.util.Arrays.copyOf(ratio, 5)));
        assertThat(out.resolve("activation_ratio.png")).exists();
        assertThat(record.numbers()).containsKeys("post-norm_std_0.02_activation_ratio", "pre-norm_xavier_log_slope");
    }

    @Test
    void refusesAFolderThatHoldsSomethingAndLeavesNothingBehindWhenAnExperimentFails() throws IOException {
        TinyData data = TinyData.write(tmp);
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("keep.txt"), "x");
        assertThatThrownBy(() -> Experiments.run(new InitStdExperiment(), data.setup(used, null), false))
                .hasMessageContaining(used + " is not empty and is not a minibert output folder");
        assertThat(used.resolve("keep.txt")).hasContent("x");

        Path out = tmp.resolve("drift");
        ExperimentSetup noLabels = new ExperimentSetup(Budget.TINY, data.corpus, data.vocab, null, null, out, 7, 2, "c");
        assertThatThrownBy(() -> Experiments.run(new FinetuneDriftExperiment(), noLabels, false))
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
