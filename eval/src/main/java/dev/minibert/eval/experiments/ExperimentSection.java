package dev.minibert.eval.experiments;

import dev.minibert.eval.Format;
import dev.minibert.eval.HtmlReport;
import dev.minibert.eval.RunSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An experiment folder in an HTML report, rebuilt from its experiment.json and CSVs alone: claim, verdict, the effect
 * and the rule, the budget, the exact command and provenance, configuration, every quantity's mean and interval
 * over the seeds, and each seed's charts. {@link #writeReport} makes the folder's own report.html.
 */
public final class ExperimentSection implements RunSection {
    public static final String REPORT = "report.html";

    @Override
    public boolean accepts(Path dir) {
        return Files.isRegularFile(dir.resolve(ExperimentRecord.FILE));
    }

    @Override
    public String describes() {
        return "an experiment folder (DIR/" + ExperimentRecord.FILE + ")";
    }

    @Override
    public void render(Path dir, HtmlReport report, Path charts) throws IOException {
        ExperimentRecord record = ExperimentRecord.read(dir);
        Experiment experiment = Experiments.named(record.name());
        report.heading("Experiment " + record.name())
                .paragraph("Claim: " + record.claim())
                .paragraph("Verdict: " + record.verdict().status().label() + ". " + record.verdict().summary())
                .paragraph("Effect (" + record.effect().key() + "): " + record.effect().meaning() + ". The claim is "
                        + "shown when the 95% interval of its mean over the seeds lies above 0, contradicted when it "
                        + "lies below 0, and not shown otherwise.")
                .paragraph("Budget: " + record.budgetNote())
                .paragraph("PyTorch peer: " + record.peer())
                .subheading("Command")
                .code(record.command())
                .subheading("Provenance")
                .table(List.of("item", "value"), rows(record.provenance()))
                .subheading("Configuration")
                .table(List.of("setting", "value"), rows(record.config()))
                .subheading("Measured numbers (every seed: " + Experiments.SEEDS + ")")
                .table(List.of("quantity", "mean", "95% interval", "per seed"), quantities(record.numbers()));
        for (Object seed : (List<?>) record.provenance().get("seeds")) {
            String folder = Experiments.seedFolder(((Number) seed).longValue());
            report.subheading("Seed " + seed + " (" + folder + "/)");
            experiment.render(dir.resolve(folder), report, Files.createDirectories(charts.resolve(folder)));
        }
    }

    /** Writes {@code dir/report.html}, its charts kept as PNGs in {@code dir}. */
    public static void writeReport(Path dir) throws IOException {
        HtmlReport report = new HtmlReport("minibert experiment: " + ExperimentRecord.read(dir).name());
        new ExperimentSection().render(dir, report, dir);
        report.write(dir.resolve(REPORT));
    }

    /** One row per quantity: its mean, interval and per-seed values, as {@link Experiments#summarize} wrote them. */
    private static List<List<String>> quantities(Map<String, Object> numbers) {
        List<List<String>> rows = new ArrayList<>();
        numbers.forEach((k, v) -> {
            Map<?, ?> q = (Map<?, ?>) v;
            List<String> perSeed = ((List<?>) q.get("per_seed")).stream().map(ExperimentSection::cell).toList();
            rows.add(List.of(k, cell(q.get("mean")), "[" + cell(q.get("ci95_low")) + ", " + cell(q.get("ci95_high")) + "]",
                    String.join(" ", perSeed)));
        });
        return rows;
    }

    private static String cell(Object v) {
        return v instanceof Double d ? Format.number(d) : String.valueOf(v);
    }

    private static List<List<String>> rows(Map<String, Object> values) {
        List<List<String>> rows = new ArrayList<>();
        values.forEach((k, v) -> rows.add(List.of(k, cell(v))));
        return rows;
    }
}
