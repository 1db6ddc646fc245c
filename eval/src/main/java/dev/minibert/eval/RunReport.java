package dev.minibert.eval;

import dev.minibert.model.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code minibert report}: one self-contained HTML page rebuilt from saved directories, each rendered by the first
 * {@link RunSection} that accepts it. Every directory is checked before anything is drawn, and the page is written
 * atomically at the end, so a bad directory leaves no partial report.
 */
public final class RunReport {
    private final List<RunSection> sections;

    public RunReport(List<RunSection> sections) {
        this.sections = List.copyOf(sections);
    }

    /** Finetuned models (DIR/training/metrics.jsonl), pretraining runs (DIR/metrics.jsonl), model directories. */
    public static RunReport standard() {
        return new RunReport(List.of(new FinetuneRunSection(), new PretrainRunSection(), new ModelDirSection()));
    }

    /** This report with {@code section} tried before the others (e.g. experiment directories). */
    public RunReport withFirst(RunSection section) {
        List<RunSection> all = new ArrayList<>();
        all.add(section);
        all.addAll(sections);
        return new RunReport(all);
    }

    /** Renders {@code dirs} in order into {@code html}; {@code command} is shown as the way to rebuild the page. */
    public void write(List<Path> dirs, Path html, String command) throws IOException {
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("no directories to report on");
        }
        List<RunSection> chosen = new ArrayList<>();
        for (Path dir : dirs) {
            chosen.add(sectionFor(dir));
        }
        HtmlReport report = new HtmlReport("minibert report");
        report.paragraph("Rebuilt from saved runs with:").code(command);
        Path charts = Files.createTempDirectory("minibert-report");
        try {
            for (int i = 0; i < dirs.size(); i++) {
                Path sectionCharts = Files.createDirectory(charts.resolve("section-" + i));
                chosen.get(i).render(dirs.get(i), report, sectionCharts);
            }
            report.write(html);
        } finally {
            AtomicFiles.deleteRecursively(charts);
        }
    }

    private RunSection sectionFor(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such directory");
        }
        for (RunSection s : sections) {
            if (s.accepts(dir)) {
                return s;
            }
        }
        throw new IllegalArgumentException(dir + ": not something to report on; expected "
                + String.join(", or ", sections.stream().map(RunSection::describes).toList()));
    }
}
