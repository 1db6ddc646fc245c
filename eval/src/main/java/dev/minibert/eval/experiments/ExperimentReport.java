package dev.minibert.eval.experiments;

import dev.minibert.eval.HtmlReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The HTML report of an experiment folder, rebuilt from its experiment.json and CSVs alone. */
public final class ExperimentReport {
    public static final String FILE = "report.html";

    private ExperimentReport() {
    }

    /** Writes {@code dir/report.html} (and the charts it embeds). */
    public static void write(Path dir) throws IOException {
        ExperimentRecord record = ExperimentRecord.read(dir);
        HtmlReport report = new HtmlReport("minibert experiment: " + record.name());
        addSection(dir, record, report);
        report.write(dir.resolve(FILE));
    }

    /** Appends the experiment in {@code dir} as one section: claim, verdict, command, configuration, numbers, charts. */
    public static void addSection(Path dir, HtmlReport report) throws IOException {
        addSection(dir, ExperimentRecord.read(dir), report);
    }

    private static void addSection(Path dir, ExperimentRecord record, HtmlReport report) throws IOException {
        report.heading("Experiment " + record.name())
                .paragraph("Claim: " + record.claim())
                .paragraph("Verdict: " + record.verdict().status().label() + ". " + record.verdict().summary())
                .subheading("Command")
                .code(record.command())
                .subheading("Configuration")
                .table(List.of("setting", "value"), rows(record.config()))
                .subheading("Measured numbers")
                .table(List.of("quantity", "value"), rows(record.numbers()));
        Experiments.named(record.name()).render(dir, report);
    }

    private static List<List<String>> rows(Map<String, Object> values) {
        List<List<String>> rows = new ArrayList<>();
        values.forEach((k, v) -> rows.add(List.of(k, v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : String.valueOf(v))));
        return rows;
    }
}
