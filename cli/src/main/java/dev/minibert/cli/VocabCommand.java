package dev.minibert.cli;

import dev.minibert.model.io.OutputFile;
import dev.minibert.tokenizer.Vocab;
import dev.minibert.tokenizer.WordpieceTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Vocabulary work: {@code minibert vocab train}. */
@Command(name = "vocab", mixinStandardHelpOptions = true, description = "Vocabulary tools.",
        subcommands = VocabCommand.Train.class)
final class VocabCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: train");
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Learn a WordPiece vocab.txt from UTF-8 corpus files (HF tokenizers' WordPiece trainer semantics).")
    static final class Train implements Callable<Integer> {
        @Option(names = "--corpus", required = true, arity = "1..*", description = "corpus files or folders (UTF-8 text)")
        List<Path> corpus;

        @Option(names = "--vocab-size", required = true, description = "target number of tokens, specials included")
        int vocabSize;

        @Option(names = "--min-frequency", defaultValue = "2", description = "minimum count of a merged piece")
        int minFrequency;

        @Option(names = "--limit-alphabet", defaultValue = "10000", description = "most frequent characters kept as the alphabet; every CJK character seen is kept regardless")
        int limitAlphabet;

        @Option(names = "--lowercase", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "lower-case and strip accents first (default: true)")
        boolean lowercase;

        @Option(names = "--out", required = true, description = "vocab.txt to write (atomically)")
        Path out;

        @Option(names = "--overwrite", description = "replace --out if it exists (minibert cannot tell a vocab.txt "
                + "it wrote from the user's)")
        boolean overwrite;

        @Override
        public Integer call() throws IOException {
            OutputFile.requireReplaceable(out, overwrite, OutputFile.UNKNOWN);
            List<Path> files = expand(corpus);
            long total = 0;
            for (Path f : files) {
                total += Files.size(f);
            }
            WordpieceTrainer trainer = new WordpieceTrainer(vocabSize, minFrequency, limitAlphabet, lowercase);
            Vocab vocab;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("reading corpus").setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1 << 20).showSpeed().build()) {
                vocab = trainer.train(files, bar::stepTo);
            }
            vocab.write(out);
            System.err.printf("wrote %s: %d tokens%n", out, vocab.size());
            return 0;
        }

        /** Folders become their regular files, sorted so the same tree always gives the same vocab. */
        static List<Path> expand(List<Path> paths) throws IOException {
            List<Path> files = new ArrayList<>();
            for (Path p : paths) {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> walk = Files.walk(p)) {
                        walk.filter(Files::isRegularFile).sorted().forEach(files::add);
                    }
                } else if (Files.isRegularFile(p)) {
                    files.add(p);
                } else {
                    throw new IOException(p + ": no such file or folder");
                }
            }
            if (files.isEmpty()) {
                throw new IOException("no corpus files under " + paths);
            }
            return files;
        }
    }
}
