package dev.minibert.eval.experiments;

import dev.minibert.eval.HtmlReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A seed claim turned into a measurement: each seed trains and measures into CSVs and returns its numbers; the claim
 * is judged by {@link Verdict#of} from one of them, the effect, over all seeds.
 */
public interface Experiment {
    /**
     * The per-seed number the verdict reads: {@code key} in the numbers (a column of seeds.csv), positive when the
     * claim holds; {@code meaning} says how it is computed.
     */
    record Effect(String key, String meaning) {
    }

    /** The CLI name, e.g. {@code attenuation}. */
    String name();

    /** The claim under test, in one sentence. */
    String claim();

    Effect effect();

    /**
     * The budget {@code minibert experiment NAME} runs without {@code --size}: the largest whose three seeds were
     * measured to finish in about ten minutes on 2 cores (docs/experiments-method.md, "Budgets").
     */
    default Budget defaultBudget() {
        return Budget.SMALL;
    }

    /** Where in training the effect is read, and which budget shows the claim (measured or estimated, said which). */
    String budgetNote(Budget budget);

    /** Trains and measures one seed into CSV files under {@code setup.dir()}; returns its numbers, the effect included. */
    Map<String, Double> measure(ExperimentSetup setup) throws IOException;

    /**
     * Runs the PyTorch peer beside the first seed's run (files in {@code firstSeed.dir()}) and returns the sentence
     * that states how far the two agree, with the peer's effect, which the record places against our seeds'
     * ({@link SeedRange}); {@link PeerScripts.NotRun} says why the peer could not run.
     */
    PeerComparison comparePeer(ExperimentSetup firstSeed) throws IOException, PeerScripts.NotRun;

    /** What {@link #comparePeer} found: its sentence, and the effect as the peer measured it (the effect key's formula). */
    record PeerComparison(String sentence, double effect) {
    }

    /** Draws the charts of one seed's run from its CSVs in {@code dir} as PNGs in {@code charts}, and adds them. */
    void render(Path dir, HtmlReport report, Path charts) throws IOException;
}
