package dev.minibert.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parts pretraining and finetuning sections share: metric curves, gradient norms by layer, gamma over steps. */
final class RunCharts {
    private RunCharts() {
    }

    /** A line chart of the series with something to show; a sentence instead when none has. */
    static void line(HtmlReport report, Path png, String title, String yTitle, List<Series> series, boolean logY)
            throws IOException {
        List<Series> shown = series.stream().filter(s -> plottable(s, logY)).toList();
        if (shown.isEmpty()) {
            report.paragraph(title + ": no finite values to plot.");
            return;
        }
        Charts.line(png, title, "step", yTitle, shown, logY);
        report.image(png, title);
    }

    private static boolean plottable(Series s, boolean logY) {
        for (double y : s.y()) {
            if (Double.isFinite(y) && (!logY || y > 0)) {
                return true;
            }
        }
        return false;
    }

    /** The named keys of the log against step, those the log has, in one chart. */
    static void metrics(HtmlReport report, MetricsLog log, Path png, String title, String yTitle, String... keys)
            throws IOException {
        List<Series> series = new ArrayList<>();
        for (String k : keys) {
            if (log.has(k)) {
                series.add(log.series(k));
            }
        }
        if (!series.isEmpty()) {
            line(report, png, title, yTitle, series, false);
        }
    }

    /** Per-group gradient norms over steps (log axis), first vs last logged step as bars, and the depth fits. */
    static void gradientNorms(HtmlReport report, MetricsLog log, Path charts) throws IOException {
        List<JsonNode> rows = log.rowsWith("grad_norms");
        if (rows.isEmpty()) {
            return;
        }
        report.subheading("Gradient norms by layer");
        line(report, charts.resolve("grad-norms.png"), "Gradient norm per layer group", "L2 norm (log)",
                List.copyOf(log.memberSeries("grad_norms").values()), true);
        JsonNode first = rows.get(0);
        JsonNode last = rows.get(rows.size() - 1);
        List<String> groups = new ArrayList<>();
        last.get("grad_norms").fieldNames().forEachRemaining(groups::add);
        Map<String, double[]> bars = new LinkedHashMap<>();
        bars.put("step " + first.get("step").asLong(), values(first.get("grad_norms"), groups));
        if (rows.size() > 1) {
            bars.put("step " + last.get("step").asLong(), values(last.get("grad_norms"), groups));
        }
        if (bars.values().stream().flatMapToDouble(java.util.Arrays::stream).anyMatch(v -> v > 0 && Double.isFinite(v))) {
            Path png = charts.resolve("grad-norms-bars.png");
            Charts.bars(png, "Gradient norm per layer group, first and last logged step", "group", "L2 norm (log)",
                    groups, bars, true);
            report.image(png, "Gradient norm per layer group, first and last logged step");
        }
        attenuationTable(report, AttenuationAnalysis.fromMetrics(log));
    }

    private static double[] values(JsonNode obj, List<String> keys) {
        return keys.stream().mapToDouble(k -> MetricsLog.number(obj.get(k))).toArray();
    }

    /** The depth fit at up to ten evenly spaced logged steps, always including the first and the last. */
    static void attenuationTable(HtmlReport report, List<AttenuationAnalysis.AtStep> fits) {
        if (fits.isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        int shown = Math.min(10, fits.size());
        for (int i = 0; i < shown; i++) {
            int idx = shown == 1 ? 0 : (int) Math.round((double) i * (fits.size() - 1) / (shown - 1));
            AttenuationAnalysis a = fits.get(idx).analysis();
            rows.add(List.of(Long.toString(fits.get(idx).step()), Format.number(a.firstOverLast()),
                    Format.number(a.slope()), Format.number(a.ratePerLayer()), Format.number(a.rSquared())));
        }
        report.paragraph("Attenuation: a least-squares fit of ln(gradient norm) against the encoder layer index. "
                + "Rate per layer = exp(slope): below 1, gradients grow towards the input; above 1, they shrink "
                + "towards the input (attenuate).");
        report.table(List.of("step", "layer 0 / last layer", "slope of ln norm", "rate per layer", "R²"), rows);
    }

    /** Mean gamma of every LayerNorm over steps, the statistics table and the last-LN comparison. */
    static void gamma(HtmlReport report, MetricsLog log, Path charts) throws IOException {
        if (!log.has("layer_norm_gamma")) {
            return;
        }
        GammaGrowthAnalysis g = GammaGrowthAnalysis.fromMetrics(log);
        report.subheading("LayerNorm gamma over training");
        line(report, charts.resolve("gamma.png"), "Mean LayerNorm gamma", "mean gamma", g.meanSeries(), false);
        report.paragraph(g.comparisonSentence());
        report.table(GammaGrowthAnalysis.tableHeader(), g.tableRows());
    }

    /** A JSON file shown verbatim (a model config), when present. */
    static void jsonFile(HtmlReport report, Path file, String title) throws IOException {
        if (Files.isRegularFile(file)) {
            report.subheading(title).code(Files.readString(file, StandardCharsets.UTF_8));
        }
    }
}
