package dev.minibert.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartSectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode summary(double pretrained, double[] pretrainedCi, double random, double[] randomCi,
                                    double majority) throws IOException {
        return JSON.readTree("""
                {"budget": "small", "test": "test.jsonl", "total_seconds": 600.5,
                 "classifiers": [
                   {"name": "pretrained", "accuracy": 0.8, "macro_f1": %s, "accuracy_ci95": [0.78, 0.82], "macro_f1_ci95": [%s, %s], "examples": 100},
                   {"name": "random init", "accuracy": 0.6, "macro_f1": %s, "accuracy_ci95": [0.57, 0.63], "macro_f1_ci95": [%s, %s], "examples": 100},
                   {"name": "majority class", "accuracy": 0.4, "macro_f1": %s, "accuracy_ci95": [0.37, 0.43], "macro_f1_ci95": [0.06, 0.07], "examples": 100}],
                 "mlm": {"masked_tokens": 1234, "masked_accuracy": 0.21, "perplexity": 150.2},
                 "steps": [{"name": "pretrain", "command": "minibert pretrain --max-steps 700", "seconds": 300.25}]}
                """.formatted(pretrained, pretrainedCi[0], pretrainedCi[1], random, randomCi[0], randomCi[1], majority));
    }

    @Test
    void verdictSaysWhetherPretrainingWinsAndWhetherTheIntervalsSeparate() throws IOException {
        String clear = QuickstartSection.verdict(summary(0.7, new double[] {0.65, 0.75}, 0.5, new double[] {0.45, 0.55}, 0.06));
        assertThat(clear).contains("reaches 0.7000 macro-F1", "beats the same recipe from random initialisation by 0.2000",
                "do not overlap", "beats the majority class (0.06000)");
        String overlapping = QuickstartSection.verdict(summary(0.52, new double[] {0.47, 0.57}, 0.5, new double[] {0.45, 0.55}, 0.06));
        assertThat(overlapping).contains("by 0.02000", "overlap: not a clear win");
        String lost = QuickstartSection.verdict(summary(0.4, new double[] {0.35, 0.45}, 0.5, new double[] {0.45, 0.55}, 0.45));
        assertThat(lost).contains("does not beat the same recipe", "0.4000 vs 0.5000", "does not beat the majority class");
    }

    @Test
    void rendersTheScoresStepsAndHeldOutScores(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(QuickstartSection.FILE),
                JSON.writeValueAsString(summary(0.7, new double[] {0.65, 0.75}, 0.5, new double[] {0.45, 0.55}, 0.06)));
        QuickstartSection section = new QuickstartSection();
        assertThat(section.accepts(dir)).isTrue();
        assertThat(section.accepts(dir.resolve("missing"))).isFalse();
        HtmlReport report = new HtmlReport("t");
        section.render(dir, report, dir);
        Path html = dir.resolve("r.html");
        report.write(html);
        assertThat(Files.readString(html, StandardCharsets.UTF_8)).contains("Quickstart (budget small)",
                "0.7000 [0.6500, 0.7500]", "minibert pretrain --max-steps 700", "150.2", "600.5 s in all");
    }

    @Test
    void aSummaryWithoutTheBaselineIsNamedInTheError() throws IOException {
        JsonNode broken = JSON.readTree("{\"classifiers\": [{\"name\": \"pretrained\"}]}");
        assertThatThrownBy(() -> QuickstartSection.verdict(broken)).hasMessageContaining("random init");
    }
}
