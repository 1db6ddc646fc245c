package dev.minibert.eval;

import java.io.IOException;
import java.nio.file.Path;

/** How one kind of saved directory (a pretraining run, a finetuned model, ...) becomes a part of the HTML report. */
public interface RunSection {
    /** Whether this section renders {@code dir}; the first section of a {@link RunReport} that accepts it does. */
    boolean accepts(Path dir);

    /** What {@link #accepts} looks for, for the error naming a directory no section takes. */
    String describes();

    /**
     * Appends the directory's headings, tables and charts.
     *
     * @param charts an empty folder for this section's PNG files, alive until the report is written
     */
    void render(Path dir, HtmlReport report, Path charts) throws IOException;
}
