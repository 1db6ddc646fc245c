package dev.minibert.cli;

import dev.minibert.eval.ShellCommand;
import dev.minibert.eval.experiments.Budget;
import dev.minibert.eval.experiments.Experiment;
import dev.minibert.eval.experiments.ExperimentRecord;
import dev.minibert.eval.experiments.ExperimentSection;
import dev.minibert.eval.experiments.ExperimentSetup;
import dev.minibert.eval.experiments.Experiments;
import dev.minibert.eval.experiments.FindingsTable;
import dev.minibert.eval.experiments.PeerScripts;
import dev.minibert.model.Nd4jSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code minibert experiment NAME}: one seed claim measured end to end, with a verdict computed from the numbers. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Run a seed experiment over --seeds seeds: per-seed CSV + PNG, seeds.csv, report.html and "
                + "experiment.json in --out, and a verdict line from the 95%% interval of the effect.",
                "NAME: attenuation | init-std | warmup | head-ln | finetune-drift",
                "Or --findings FILE: regenerate a markdown findings table from the experiment folders under --runs."})
final class ExperimentCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME",
            description = "attenuation, init-std, warmup, head-ln or finetune-drift (default: none; give one unless --findings)")
    String name;
    @Option(names = "--findings", paramLabel = "FILE", description = "instead of running: write a markdown table of "
            + "every experiment folder under --runs to FILE (replaces only a file it wrote; default: none, run NAME)")
    Path findings;
    @Option(names = "--runs", defaultValue = "runs/experiments", description = "the folder of experiment folders "
            + "that --findings reads") Path runs;
    @Option(names = {"--budget", "--size"}, description = "tiny (tests) | small (minutes on 2 cores) | full "
            + "(docs/design.md's 12-layer configuration) | past-plateau (finetune-drift only: small with both models "
            + "pretrained past the unigram plateau) (default: the experiment's own, measured to fit three seeds in "
            + "about ten minutes on 2 cores: full for init-std, small for the others)")
    String budget;
    @Option(names = "--out", description = "output folder: absent, empty, or an earlier run of it with --overwrite "
            + "(default: runs/experiments/NAME)") Path out;
    @CommandLine.Mixin OverwriteOption overwrite;
    @Option(names = "--seed", defaultValue = "42", description = "the first seed; the others follow it") long seed;
    @Option(names = "--seeds", defaultValue = "3", description = "how many seeds, run one after another")
    int seeds;
    @Option(names = "--steps", description = "steps of each pretraining run (default: the budget's)") Integer steps;
    @Option(names = "--corpus", description = "pretraining corpus (default: $MINIBERT_CACHE/corpus/train.txt)") Path corpus;
    @Option(names = "--vocab", description = "vocab.txt (default: $MINIBERT_CACHE/vocab/minibert-vocab.txt)") Path vocab;
    @Option(names = "--train", description = "labeled training set for finetune-drift "
            + "(default: $MINIBERT_CACHE/labeled/libreoffice-topic/train.jsonl)") Path train;
    @Option(names = "--dev", description = "labeled dev set for finetune-drift (default: ...-topic/dev.jsonl)") Path dev;
    @Option(names = "--peers", description = "the PyTorch peers folder (torch_bert.py) that the peer scripts "
            + "import (default: scripts/peer of minibert's checkout; the scripts are always the checkout's own "
            + "scripts/peer_*.py, never the current folder's); the peer runs beside each experiment's first seed "
            + "when /usr/bin/python3 has torch") Path peers;
    @Option(names = "--peer-timeout", defaultValue = "" + PeerScripts.DEFAULT_TIMEOUT_MINUTES, description = "minutes one peer script may run before "
            + "it is killed and the experiment fails naming it (default: ${DEFAULT-VALUE}, far above the longest "
            + "peer run)") long peerTimeoutMinutes;
    @Option(names = "--no-peer", description = "do not run the PyTorch peer (the report says so)") boolean noPeer;
    @Mixin ThreadsOption threads;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (findings != null) {
            if (name != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--findings takes no NAME");
            }
            FindingsTable.write(FindingsTable.folders(runs), findings);
            System.err.println("findings: " + findings);
            return 0;
        }
        if (name == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing NAME (or --findings FILE)");
        }
        if (seeds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seeds must be at least 1, got " + seeds);
        }
        Experiment experiment;
        Budget size;
        try {
            experiment = Experiments.named(name);
            size = budget == null ? experiment.defaultBudget() : Budget.named(budget);
            size.checkFor(experiment.name());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (peerTimeoutMinutes < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--peer-timeout must be at least 1 minute, "
                    + "got " + peerTimeoutMinutes);
        }
        if (steps != null && steps < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
        }
        Path cache = cacheDir();
        Path corpusFile = existing(corpus, cache.resolve("corpus/train.txt"), "--corpus");
        Path vocabFile = existing(vocab, cache.resolve("vocab/minibert-vocab.txt"), "--vocab");
        boolean labeled = experiment.name().equals("finetune-drift");
        Path labeledDir = cache.resolve("labeled/libreoffice-topic");
        Path trainFile = labeled ? existing(train, labeledDir.resolve("train.jsonl"), "--train") : train;
        Path devFile = labeled ? existing(dev, labeledDir.resolve("dev.jsonl"), "--dev") : dev;
        Path outDir = out != null ? out : Path.of("runs", "experiments", name);
        Nd4jSetup.init(threads.count());
        ExperimentSetup setup = new ExperimentSetup(size, corpusFile, vocabFile, trainFile, devFile, outDir, seed, steps,
                command(), noPeer ? PeerScripts.none("--no-peer was given")
                : PeerScripts.ofProject(peers, Duration.ofMinutes(peerTimeoutMinutes)));
        ExperimentRecord record = Experiments.run(experiment, setup, seeds, overwrite.overwrite);
        System.out.println(record.verdict().line(record.name()));
        System.err.println("report: " + outDir.resolve(ExperimentSection.REPORT));
        return 0;
    }

    /** The command as typed, for experiment.json and the report. */
    private String command() {
        List<String> words = new ArrayList<>(List.of("minibert")); // the parse result holds every word after it
        words.addAll(spec.commandLine().getParseResult().originalArgs());
        return ShellCommand.of(words);
    }

    /** The data cache: $MINIBERT_CACHE, or ~/.cache/minibert. */
    private static Path cacheDir() {
        String env = System.getenv("MINIBERT_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "minibert");
    }

    /** The given file, or the cache's default; either must exist. */
    private static Path existing(Path given, Path fallback, String option) {
        Path file = given != null ? given : fallback;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": not found" + (given != null ? ""
                    : "; run `minibert data fetch` first, or pass " + option));
        }
        return file;
    }
}
