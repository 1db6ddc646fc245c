package dev.minibert.eval.experiments;

import dev.minibert.model.io.OutputFolder;
import dev.minibert.model.io.OutputMarker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/** The five seed experiments by name, and how one runs: into a temporary folder renamed into place when complete. */
public final class Experiments {
    /** The marker kind of an experiment's output folder. */
    public static final String KIND = "experiment";
    public static final List<Experiment> ALL = List.of(new AttenuationExperiment(), new InitStdExperiment(),
            new WarmupExperiment(), new HeadLnExperiment(), new FinetuneDriftExperiment());

    /** Every seed's numbers, one row per seed: the verdict is computed from this file's effect column. */
    public static final String SEEDS = "seeds.csv";

    private Experiments() {
    }

    /** The folder of one seed's files. */
    public static String seedFolder(long seed) {
        return "seed-" + seed;
    }

    /** Every quantity of {@link #SEEDS}: mean, 95% interval and the per-seed values, for experiment.json. */
    static Map<String, Object> summarize(CsvTable perSeed) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : perSeed.header().subList(1, perSeed.header().size())) {
            double[] values = perSeed.column(key);
            Interval ci = Interval.of(values);
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("mean", ci.mean());
            q.put("ci95_low", ci.low());
            q.put("ci95_high", ci.high());
            q.put("per_seed", values);
            out.put(key, q);
        }
        return out;
    }

    public static Experiment named(String name) {
        return ALL.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown experiment '" + name + "' (one of: "
                        + String.join(", ", ALL.stream().map(Experiment::name).toList()) + ")"));
    }

    /**
     * Runs {@code experiment} over {@code seeds} seeds (the setup's seed and the ones after it, in sequence) into
     * {@code setup.dir()}: one folder of CSVs per seed ({@code seed-N}), {@link #SEEDS} with every seed's numbers,
     * experiment.json, charts and report.html. The folder must be absent, empty, or an earlier experiment's folder
     * with {@code overwrite} (which deletes only the files that run wrote). Work happens in a staging folder inside it
     * whose files are moved out only when everything is written, so a failed run leaves no partial output, and never
     * replaces a file of the user's.
     */
    public static ExperimentRecord run(Experiment experiment, ExperimentSetup setup, int seeds, boolean overwrite)
            throws IOException {
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be at least 1, got " + seeds);
        }
        setup.budget().checkFor(experiment.name());
        long started = System.nanoTime();
        Path out = setup.dir().toAbsolutePath();
        return OutputFolder.staged(out, KIND, overwrite, staging -> {
            Path work = staging.folder();
            List<Long> seedValues = LongStream.range(0, seeds).map(i -> setup.seed() + i).boxed().toList();
            CsvTable perSeed = null;
            for (long seed : seedValues) {
                Path seedDir = Files.createDirectory(work.resolve(seedFolder(seed)));
                Map<String, Double> numbers = experiment.measure(setup.forSeed(seedDir, seed));
                if (perSeed == null) {
                    List<String> header = new ArrayList<>(List.of("seed"));
                    header.addAll(numbers.keySet());
                    perSeed = new CsvTable(header.toArray(String[]::new));
                }
                List<Object> row = new ArrayList<>(List.of(seed));
                row.addAll(numbers.values());
                perSeed.add(row.toArray());
            }
            perSeed.write(work.resolve(SEEDS));
            String peer;
            try {
                Experiment.PeerComparison c = experiment.comparePeer(setup.forSeed(work.resolve(
                        seedFolder(setup.seed())), setup.seed()));
                peer = c.sentence() + "; " + SeedRange.of(perSeed.column(experiment.effect().key())).peerEffect(
                        c.effect()) + "; the peer's matrix products ran on " + setup.peer().blas().statement();
            } catch (PeerScripts.NotRun e) {
                peer = PeerScripts.NOT_RUN + e.getMessage();
            }
            Experiment.Effect effect = experiment.effect();
            Verdict verdict = Verdict.of(effect.meaning(), perSeed.column(effect.key()));
            double wall = (System.nanoTime() - started) / 1e9;
            ExperimentRecord record = new ExperimentRecord(experiment.name(), experiment.claim(),
                    setup.command(), setup.describe(), effect, experiment.budgetNote(setup.budget()), peer, verdict,
                    summarize(perSeed), Provenance.current(setup.command(), seedValues, wall).toMap());
            record.write(work);
            ExperimentSection.writeReport(work);
            List<String> names;
            try (Stream<Path> s = Files.list(work)) {
                names = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            staging.moveIn(new OutputMarker(KIND, names, List.of()), names);
            return record;
        });
    }
}
