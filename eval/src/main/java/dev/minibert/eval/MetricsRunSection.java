package dev.minibert.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A section for directories that hold a training run's {@code metrics.jsonl} at a fixed relative path. */
abstract class MetricsRunSection implements RunSection {
    private final String metrics;
    private final String what;

    MetricsRunSection(String metrics, String what) {
        this.metrics = metrics;
        this.what = what;
    }

    @Override
    public final boolean accepts(Path dir) {
        return Files.isRegularFile(dir.resolve(metrics));
    }

    @Override
    public final String describes() {
        return what + " (" + metrics + ")";
    }

    @Override
    public final void render(Path dir, HtmlReport report, Path charts) throws IOException {
        render(dir, MetricsLog.read(dir.resolve(metrics)), report, charts);
    }

    abstract void render(Path dir, MetricsLog log, HtmlReport report, Path charts) throws IOException;
}
