package dev.minibert.eval.experiments;

import dev.minibert.model.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** The five seed experiments by name, and how one runs: into a temporary folder renamed into place when complete. */
public final class Experiments {
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
     * Runs {@code experiment} into {@code setup.dir()}: CSVs, experiment.json, charts and report.html. The folder
     * must not exist or be empty; work happens in a hidden sibling that becomes it only when everything is written,
     * so a failed run leaves no partial output.
     */
    public static ExperimentRecord run(Experiment experiment, ExperimentSetup setup) throws IOException {
        Path out = setup.dir().toAbsolutePath();
        if (Files.exists(out) && !isEmptyDirectory(out)) {
            throw new IllegalArgumentException(out + " already exists and is not empty; choose another --out");
        }
        Files.createDirectories(out.getParent());
        Path work = out.resolveSibling("." + out.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        AtomicFiles.deleteRecursively(work);
        Files.createDirectories(work);
        try {
            ExperimentSetup inWork = new ExperimentSetup(setup.budget(), setup.corpus(), setup.vocab(),
                    setup.labeledTrain(), setup.labeledDev(), work, setup.seed(), setup.stepsOverride(), setup.command());
            Experiment.Outcome outcome = experiment.run(inWork);
            ExperimentRecord record = new ExperimentRecord(experiment.name(), experiment.claim(), setup.command(),
                    setup.describe(), outcome.verdict(), outcome.numbers());
            record.write(work);
            ExperimentSection.writeReport(work);
            Files.deleteIfExists(out);
            Files.move(work, out, StandardCopyOption.ATOMIC_MOVE);
            return record;
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteRecursively(work);
            throw e;
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
