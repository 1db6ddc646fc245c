package dev.minibert.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minibert.model.io.ModelDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code minibert finetune --out DIR} model: training loss, dev metrics per epoch, gradient norms by layer, the
 * relative weight change per layer, and the gammas of the saved (best) model.
 */
public final class FinetuneRunSection extends MetricsRunSection {
    public FinetuneRunSection() {
        super("training/" + PretrainRunSection.METRICS, "a finetuned model");
    }

    @Override
    void render(Path dir, MetricsLog log, HtmlReport report, Path charts) throws IOException {
        report.heading("Finetuned model " + dir);
        report.paragraph(PretrainRunSection.summary(log) + " " + devSummary(log));
        RunCharts.metrics(report, log, charts.resolve("loss.png"), "Training loss", "cross-entropy", "loss");
        RunCharts.metrics(report, log, charts.resolve("dev.png"), "Dev metrics per epoch", "score", "dev_accuracy",
                "dev_macro_f1");
        RunCharts.gradientNorms(report, log, charts);
        weightChange(report, log, charts);
        RunCharts.gamma(report, log, charts);
        if (Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG))) {
            ModelDirSection.gammaOfModel(report, ModelDirectory.open(dir), "LayerNorm gamma of the saved model");
        }
        RunCharts.jsonFile(report, dir.resolve(ModelDirectory.CONFIG), "Model config");
    }

    private static String devSummary(MetricsLog log) {
        List<JsonNode> dev = log.rowsWith("dev_accuracy");
        if (dev.isEmpty()) {
            return "No dev evaluation.";
        }
        JsonNode best = dev.get(0);
        for (JsonNode r : dev) {
            if (MetricsLog.number(r.get("dev_macro_f1")) > MetricsLog.number(best.get("dev_macro_f1"))) {
                best = r;
            }
        }
        return "Best dev macro-F1 " + Format.number(MetricsLog.number(best.get("dev_macro_f1"))) + " (accuracy "
                + Format.number(MetricsLog.number(best.get("dev_accuracy"))) + ") at step " + best.get("step").asLong()
                + ".";
    }

    /** ‖W−W₀‖/‖W₀‖ per layer group at the last epoch (bars) and at every epoch (table). */
    private static void weightChange(HtmlReport report, MetricsLog log, Path charts) throws IOException {
        List<JsonNode> rows = log.rowsWith("relative_weight_change");
        if (rows.isEmpty()) {
            return;
        }
        report.subheading("Relative weight change per layer");
        JsonNode last = rows.get(rows.size() - 1);
        List<String> groups = new ArrayList<>();
        last.get("relative_weight_change").fieldNames().forEachRemaining(groups::add);
        double[] values = groups.stream()
                .mapToDouble(g -> MetricsLog.number(last.get("relative_weight_change").get(g))).toArray();
        Map<String, double[]> bars = new LinkedHashMap<>();
        bars.put("step " + last.get("step").asLong(), values);
        if (java.util.Arrays.stream(values).anyMatch(v -> v > 0 && Double.isFinite(v))) {
            Path png = charts.resolve("weight-change.png");
            Charts.bars(png, "Relative weight change ||W - W0|| / ||W0||", "group", "relative change (log)", groups,
                    bars, true);
            report.image(png, "Relative weight change per layer group since the start of finetuning");
        }
        List<String> header = new ArrayList<>(List.of("step"));
        header.addAll(groups);
        List<List<String>> table = new ArrayList<>();
        for (JsonNode r : rows) {
            List<String> row = new ArrayList<>(List.of(Long.toString(r.get("step").asLong())));
            groups.forEach(g -> row.add(Format.number(MetricsLog.number(r.get("relative_weight_change").get(g)))));
            table.add(row);
        }
        report.table(header, table);
    }
}
