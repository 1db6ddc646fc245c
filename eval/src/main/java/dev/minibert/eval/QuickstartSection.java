package dev.minibert.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The quickstart's summary ({@code quickstart.json}): test scores of the classifier finetuned from the pretrained
 * model, the same recipe from random initialisation and the majority class, the pretrained model's held-out masked-LM
 * scores, and every step with its command and time. The verdict is computed from those numbers.
 */
public final class QuickstartSection implements RunSection {
    public static final String FILE = "quickstart.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean accepts(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    @Override
    public String describes() {
        return "a quickstart run (" + FILE + ")";
    }

    @Override
    public void render(Path dir, HtmlReport report, Path charts) throws IOException {
        JsonNode summary = read(dir.resolve(FILE));
        report.heading("Quickstart (budget " + summary.path("budget").asText() + ")");
        report.paragraph(verdict(summary));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode c : summary.path("classifiers")) {
            rows.add(List.of(c.path("name").asText(), withInterval(c, "accuracy"), withInterval(c, "macro_f1"),
                    c.path("examples").asText()));
        }
        report.subheading("Test set: " + summary.path("test").asText())
                .table(List.of("classifier", "accuracy [95% CI]", "macro-F1 [95% CI]", "examples"), rows);
        JsonNode mlm = summary.path("mlm");
        report.subheading("Pretrained model on the held-out corpus").table(
                List.of("masked tokens", "masked-token accuracy", "perplexity"),
                List.of(List.of(mlm.path("masked_tokens").asText(), Format.number(mlm.path("masked_accuracy").asDouble()),
                        Format.number(mlm.path("perplexity").asDouble()))));
        List<List<String>> steps = new ArrayList<>();
        for (JsonNode s : summary.path("steps")) {
            steps.add(List.of(s.path("name").asText(), s.path("command").asText(),
                    Format.number(s.path("seconds").asDouble())));
        }
        report.subheading("Steps (" + Format.number(summary.path("total_seconds").asDouble()) + " s in all)")
                .table(List.of("step", "command", "seconds"), steps);
    }

    /** One sentence from the numbers: does pretraining beat random initialisation and the majority class? */
    public static String verdict(JsonNode summary) {
        JsonNode pretrained = classifier(summary, "pretrained");
        JsonNode random = classifier(summary, "random init");
        JsonNode majority = classifier(summary, "majority class");
        double p = pretrained.path("macro_f1").asDouble();
        double r = random.path("macro_f1").asDouble();
        double m = majority.path("macro_f1").asDouble();
        boolean apart = pretrained.path("macro_f1_ci95").path(0).asDouble() > random.path("macro_f1_ci95").path(1).asDouble();
        String versusRandom = p > r
                ? "beats the same recipe from random initialisation by " + Format.number(p - r) + " macro-F1"
                + (apart ? " (the 95% intervals do not overlap)" : " (the 95% intervals overlap: not a clear win)")
                : "does not beat the same recipe from random initialisation (" + Format.number(p) + " vs "
                + Format.number(r) + " macro-F1)";
        String versusMajority = p > m ? "and beats the majority class (" + Format.number(m) + ")"
                : "and does not beat the majority class (" + Format.number(m) + ")";
        return "Finetuned from the pretrained model, the classifier reaches " + Format.number(p) + " macro-F1 and "
                + Format.number(pretrained.path("accuracy").asDouble()) + " accuracy on the test set: it "
                + versusRandom + ", " + versusMajority + ".";
    }

    private static JsonNode classifier(JsonNode summary, String name) {
        for (JsonNode c : summary.path("classifiers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException(FILE + " has no classifier named '" + name + "'");
    }

    private static String withInterval(JsonNode c, String metric) {
        JsonNode ci = c.path(metric + "_ci95");
        return Format.number(c.path(metric).asDouble()) + " [" + Format.number(ci.path(0).asDouble()) + ", "
                + Format.number(ci.path(1).asDouble()) + "]";
    }

    private static JsonNode read(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a readable quickstart summary: " + e.getMessage(), e);
        }
    }
}
