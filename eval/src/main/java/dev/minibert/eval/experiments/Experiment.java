package dev.minibert.eval.experiments;

import dev.minibert.eval.HtmlReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A seed claim turned into a measurement: train and measure into CSVs, then judge the claim from the numbers. */
public interface Experiment {
    /** The verdict and the numbers it was computed from (recorded in experiment.json). */
    record Outcome(Verdict verdict, Map<String, Object> numbers) {
    }

    /** The CLI name, e.g. {@code attenuation}. */
    String name();

    /** The claim under test, in one sentence. */
    String claim();

    /** Trains and measures into CSV files under {@code setup.dir()}, and returns the verdict. */
    Outcome run(ExperimentSetup setup) throws IOException;

    /** Draws the charts of a finished run from its CSVs in {@code dir} as PNGs in {@code charts}, and adds them to the report. */
    void render(Path dir, HtmlReport report, Path charts) throws IOException;
}
