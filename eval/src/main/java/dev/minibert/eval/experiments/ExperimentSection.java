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
 * An experiment folder in an HTML report, rebuilt from its experiment.json and CSVs alone: claim, verdict, the exact
 * command, configuration, measured numbers and charts. {@link #writeReport} makes the folder's own report.html.
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
        report.heading("Experiment " + record.name())
                .paragraph("Claim: " + record.claim())
                .paragraph("Verdict: " + record.verdict().status().label() + ". " + record.verdict().summary())
                .subheading("Command")
                .code(record.command())
                .subheading("Configuration")
                .table(List.of("setting", "value"), rows(record.config()))
                .subheading("Measured numbers")
                .table(List.of("quantity", "value"), rows(record.numbers()));
        Experiments.named(record.name()).render(dir, report, charts);
    }

    /** Writes {@code dir/report.html}, its charts kept as PNGs in {@code dir}. */
    public static void writeReport(Path dir) throws IOException {
        HtmlReport report = new HtmlReport("minibert experiment: " + ExperimentRecord.read(dir).name());
        new ExperimentSection().render(dir, report, dir);
        report.write(dir.resolve(REPORT));
    }

    private static List<List<String>> rows(Map<String, Object> values) {
        List<List<String>> rows = new ArrayList<>();
        values.forEach((k, v) -> rows.add(List.of(k, v instanceof Double d ? Format.number(d) : String.valueOf(v))));
        return rows;
    }
}
