package dev.minibert.eval.experiments;

import dev.minibert.model.io.OutputFolder;
import dev.minibert.model.io.OutputMarker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The five seed experiments by name, and how one runs: into a temporary folder renamed into place when complete. */
public final class Experiments {
    /** The marker kind of an experiment's output folder. */
    public static final String KIND = "experiment";
    public static final List<Experiment> ALL = List.of(new AttenuationExperiment(), new InitStdExperiment(),
            new WarmupExperiment(), new HeadLnExperiment(), new FinetuneDriftExperiment());

    private Experiments() {
    }

    public static Experiment named(String name) {
        return ALL.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown experiment '" + name + "' (one of: "
                        + String.join(", ", ALL.stream().map(Experiment::name).toList()) + ")"));
    }

    /**
     * Runs {@code experiment} into {@code setup.dir()}: CSVs, experiment.json, charts and report.html. The folder must
     * be absent, empty, or an earlier experiment's folder with {@code overwrite} (which deletes only the files that
     * run wrote). Work happens in a staging folder inside it whose files are moved out only when everything is
     * written, so a failed run leaves no partial output, and never replaces a file of the user's.
     */
    public static ExperimentRecord run(Experiment experiment, ExperimentSetup setup, boolean overwrite)
            throws IOException {
        Path out = setup.dir().toAbsolutePath();
        if (overwrite) {
            OutputFolder.clear(out, KIND);
        }
        return OutputFolder.staged(out, KIND, work -> {
            ExperimentSetup inWork = new ExperimentSetup(setup.budget(), setup.corpus(), setup.vocab(),
                    setup.labeledTrain(), setup.labeledDev(), work, setup.seed(), setup.stepsOverride(),
                    setup.command());
            Experiment.Outcome outcome = experiment.run(inWork);
            ExperimentRecord record = new ExperimentRecord(experiment.name(), experiment.claim(),
                    setup.command(), setup.describe(), outcome.verdict(), outcome.numbers());
            record.write(work);
            ExperimentSection.writeReport(work);
            List<String> names;
            try (Stream<Path> s = Files.list(work)) {
                names = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            OutputFolder.moveIn(work, out, new OutputMarker(KIND, names, List.of()), names);
            return record;
        });
    }
}
