package dev.minibert.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A {@code minibert pretrain --out DIR} run: loss, masked accuracy, gradient norms by layer, gamma over steps. */
public final class PretrainRunSection extends MetricsRunSection {
    static final String METRICS = "metrics.jsonl";

    public PretrainRunSection() {
        super(METRICS, "a pretraining run");
    }

    @Override
    void render(Path dir, MetricsLog log, HtmlReport report, Path charts) throws IOException {
        report.heading("Pretraining run " + dir);
        report.paragraph(summary(log));
        RunCharts.metrics(report, log, charts.resolve("loss.png"), "Masked-LM loss", "cross-entropy", "loss",
                "eval_loss");
        RunCharts.metrics(report, log, charts.resolve("accuracy.png"), "Masked-token accuracy", "accuracy",
                "masked_accuracy", "eval_masked_accuracy");
        RunCharts.gradientNorms(report, log, charts);
        RunCharts.gamma(report, log, charts);
        RunCharts.jsonFile(report, dir.resolve("model").resolve("config.json"), "Model config");
    }

    static String summary(MetricsLog log) {
        List<JsonNode> trained = log.rowsWith("loss");
        long skipped = log.rowsWith("skipped").size();
        StringBuilder s = new StringBuilder();
        if (!trained.isEmpty()) {
            JsonNode last = trained.get(trained.size() - 1);
            s.append(trained.size()).append(" logged steps up to step ").append(last.get("step").asLong())
                    .append("; last loss ").append(Format.number(MetricsLog.number(last.get("loss"))));
            if (last.has("masked_accuracy")) {
                s.append(", masked accuracy ").append(Format.number(MetricsLog.number(last.get("masked_accuracy"))));
            }
            s.append(". ");
        }
        List<JsonNode> evals = log.rowsWith("eval_loss");
        if (!evals.isEmpty()) {
            JsonNode e = evals.get(evals.size() - 1);
            s.append("Held-out at step ").append(e.get("step").asLong()).append(": loss ")
                    .append(Format.number(MetricsLog.number(e.get("eval_loss")))).append(", perplexity ")
                    .append(Format.number(MetricsLog.number(e.get("eval_perplexity")))).append(", masked accuracy ")
                    .append(Format.number(MetricsLog.number(e.get("eval_masked_accuracy")))).append(". ");
        }
        s.append(skipped).append(" step(s) skipped for non-finite loss or gradient.");
        return s.toString();
    }
}
