package dev.minibert.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.minibert.data.DataFetch;
import dev.minibert.eval.ModelEvaluation;
import dev.minibert.eval.QuickstartSection;
import dev.minibert.eval.RunReport;
import dev.minibert.eval.SavedModel;
import dev.minibert.eval.ShellCommand;
import dev.minibert.finetune.ClassificationDataset;
import dev.minibert.finetune.ClassificationMetrics;
import dev.minibert.finetune.DatasetFormat;
import dev.minibert.model.io.AtomicFiles;
import dev.minibert.model.io.RunLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The one-command tour: fetch data, pretrain a 12-layer post-norm mini-BERT, finetune it and the same model from
 * random initialisation on libreoffice-topic, evaluate both against the majority class, and write one HTML report.
 * Every step is an ordinary {@code minibert} command, printed before it runs, so each can be rerun on its own.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Fetch data, pretrain a 12-layer mini-BERT (hidden 128), finetune it and a randomly initialised "
                + "twin on libreoffice-topic, evaluate, and write OUT/report.html.",
                "Budgets on 2 CPU cores: tiny (2 layers, hidden 32: a smoke test) ≈ 1 min; small (600 pretraining "
                        + "steps without dropout, 2 finetuning epochs on 2,400 rows) ≈ 11 min; medium (1,500 steps, "
                        + "3 epochs on 3,200 rows) ≈ 25 min; full (8,000 steps with dropout, 3 epochs on all rows) "
                        + "≈ 2 h."})
final class QuickstartCommand implements Callable<Integer> {
    /**
     * The model's depth and width, pretraining steps (batch 32, length 64) with their warmup and final linear decay
     * (null: decay over every step after warmup), finetuning epochs and training rows (0 = all 12,119), and dropout;
     * sized from measured step times on 2 cores. The short budgets train without dropout (in a few hundred steps it
     * only slows the first descent below the unigram plateau) and warm up for 90 steps: every measured run of this
     * post-norm model that warmed up for 30-48 steps was still on the plateau after 500-800 steps, every one with 90
     * had left it by step 500. The small budget holds the peak rate until its last 20% of steps for the same reason.
     */
    enum Budget {
        tiny(2, 32, 40, 2, null, 1, 1000, 0.0), small(12, 128, 600, 90, 0.2, 2, 2400, 0.0),
        medium(12, 128, 1500, 90, null, 3, 3200, 0.0), full(12, 128, 8000, 480, null, 3, 0, 0.1);

        final int layers;
        final int hidden;
        final int pretrainSteps;
        final int warmupSteps;
        final Double decayRatio;
        final int finetuneEpochs;
        final int trainRows;
        final double dropout;

        Budget(int layers, int hidden, int pretrainSteps, int warmupSteps, Double decayRatio, int finetuneEpochs,
               int trainRows, double dropout) {
            this.layers = layers;
            this.hidden = hidden;
            this.pretrainSteps = pretrainSteps;
            this.warmupSteps = warmupSteps;
            this.decayRatio = decayRatio;
            this.finetuneEpochs = finetuneEpochs;
            this.trainRows = trainRows;
            this.dropout = dropout;
        }

        /** The pretrain flags for the schedule. */
        List<String> scheduleFlags() {
            List<String> flags = new ArrayList<>(List.of("--warmup-steps", Integer.toString(warmupSteps)));
            if (decayRatio != null) {
                flags.addAll(List.of("--decay-ratio", Double.toString(decayRatio)));
            }
            return flags;
        }
    }

    /** Both twins' finetuning rate: a hidden-128 model from random init hardly moves off the majority class at 1e-4. */
    static final String FINETUNE_LEARNING_RATE = "5e-4";
    private static final String LABELED = "libreoffice-topic";
    /** The one data fetch: only the parts the quickstart reads (the poetry set, and so npm, is not needed). */
    static final String FETCH = "vocab," + LABELED;
    private static final String KIND = "quickstart";
    private static final String MODEL_CONFIG = "model-config.json";
    private static final String PRETRAIN = "pretrain";
    private static final String RANDOM_INIT = "random-init";
    private static final String FINETUNE_PRETRAINED = "finetune-pretrained";
    private static final String FINETUNE_RANDOM = "finetune-random";
    private static final String REPORT = "report.html";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--budget", defaultValue = "small", description = "tiny | small | medium | full")
    Budget budget;
    @Option(names = "--out", defaultValue = "runs/quickstart",
            description = "run folder (an earlier quickstart's is replaced only with --overwrite)")
    Path out;
    @Mixin
    OverwriteOption overwrite;
    @Spec
    CommandSpec spec;
    @Option(names = "--cache", description = "data cache (default: $MINIBERT_CACHE or ~/.cache/minibert)")
    Path cache;
    @Option(names = "--seed", defaultValue = "42", description = "the one seed of every step")
    long seed;
    @Mixin ThreadsOption threads;

    private final List<Map<String, Object>> steps = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        try (RunLock lock = overwrite.open(out, KIND, entries())) {
            return tour(start);
        }
    }

    /** What a quickstart writes in --out: what its marker names, and --overwrite deletes. */
    private List<String> entries() {
        List<String> names = new ArrayList<>(List.of(MODEL_CONFIG, PRETRAIN, RANDOM_INIT, FINETUNE_PRETRAINED,
                FINETUNE_RANDOM, QuickstartSection.FILE, REPORT));
        if (budget.trainRows > 0) {
            names.add(trainRowsFile());
        }
        return names;
    }

    /** Every step, while this process holds the run folder's lock. */
    private int tour(long start) throws IOException {
        Path data = cache != null ? cache : DataFetch.defaultCache();
        List<String> cacheFlag = cache == null ? List.of() : List.of("--cache", cache.toString());
        run("fetch the corpus, vocab and " + LABELED + " set", concat(List.of("data", "fetch", "--what", FETCH), cacheFlag));

        Path vocab = data.resolve("vocab/minibert-vocab.txt");
        Path labeled = data.resolve("labeled").resolve(LABELED);
        Path config = writeModelConfig(vocab);
        Path pretrain = out.resolve(PRETRAIN);
        run("pretrain", concat(List.of("pretrain", "--corpus", data.resolve("corpus/train.txt").toString(),
                "--vocab", vocab.toString(), "--config", config.toString(), "--out", pretrain.toString(),
                "--max-steps", Integer.toString(budget.pretrainSteps), "--batch-size", "32", "--max-seq-len", "64",
                "--learning-rate", "1e-3", "--log-every", "20",
                "--save-every", Integer.toString(budget.pretrainSteps), "--seed", Long.toString(seed),
                "--threads", Integer.toString(threads.count())), budget.scheduleFlags()));
        Path randomInit = out.resolve(RANDOM_INIT);
        run("random init", List.of("init", "--config", config.toString(), "--vocab", vocab.toString(),
                "--out", randomInit.toString(), "--seed", Long.toString(seed)));
        Path train = trainingRows(labeled.resolve("train.jsonl"));
        Path pretrained = finetune("finetune the pretrained model", pretrain.resolve("model"), FINETUNE_PRETRAINED,
                train, labeled);
        Path random = finetune("finetune the random init", randomInit, FINETUNE_RANDOM, train, labeled);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("budget", budget.name());
        Path test = labeled.resolve("test.jsonl");
        summary.put("train", train.toString());
        summary.put("test", test.toString());
        long evalStart = System.nanoTime();
        Map<String, Object> pretrainedScores = evaluate(pretrained, test);
        List<Map<String, Object>> classifiers = new ArrayList<>();
        classifiers.add(named("pretrained", pretrainedScores));
        classifiers.add(named("random init", evaluate(random, test)));
        classifiers.add(majorityClass(train, pretrainedScores));
        summary.put("classifiers", classifiers);
        summary.put("mlm", evaluate(pretrain.resolve("model"), data.resolve("corpus/heldout.txt")));
        steps.add(step("evaluate on the test set and the held-out corpus", "minibert eval --model DIR --data FILE",
                evalStart));
        summary.put("steps", steps);
        summary.put("total_seconds", seconds(start));
        AtomicFiles.write(out.resolve(QuickstartSection.FILE), JSON.writeValueAsBytes(summary));

        Path html = out.resolve(REPORT);
        List<Path> dirs = List.of(out, pretrain, pretrained, random);
        List<String> rebuild = new ArrayList<>(List.of("minibert", "report"));
        dirs.forEach(d -> rebuild.add(d.toString()));
        rebuild.addAll(List.of("--out", html.toString()));
        RunReport.standard().withFirst(new QuickstartSection()).write(dirs, html, ShellCommand.of(rebuild));

        System.out.println(QuickstartSection.verdict(JSON.valueToTree(summary)));
        System.out.printf("quickstart finished in %.1f min; report: %s%n", seconds(start) / 60, html.toAbsolutePath());
        return 0;
    }

    /** The budget's share of the (already shuffled) training file: its first rows, or the file itself. */
    private Path trainingRows(Path train) throws IOException {
        if (budget.trainRows == 0) {
            return train;
        }
        List<String> rows;
        try (var lines = Files.lines(train, StandardCharsets.UTF_8)) {
            rows = lines.filter(l -> !l.isBlank()).limit(budget.trainRows).toList();
        }
        Path file = out.resolve(trainRowsFile());
        AtomicFiles.write(file, (String.join("\n", rows) + "\n").getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private String trainRowsFile() {
        return "train-" + budget.trainRows + ".jsonl";
    }

    private Path finetune(String name, Path model, String dir, Path train, Path labeled) {
        Path target = out.resolve(dir);
        run(name, List.of("finetune", "--model", model.toString(), "--train", train.toString(),
                "--dev", labeled.resolve("dev.jsonl").toString(), "--out", target.toString(),
                "--epochs", Integer.toString(budget.finetuneEpochs), "--batch-size", "32", "--max-seq-len", "64",
                "--learning-rate", FINETUNE_LEARNING_RATE, "--group-by-length", "--seed", Long.toString(seed),
                "--threads", Integer.toString(threads.count())));
        return target;
    }

    /** Runs one {@code minibert} command in this process; a failure stops the tour with the step's name. */
    private void run(String name, List<String> args) {
        List<String> words = concat(List.of("minibert"), args);
        System.err.println("\n== " + name + "\n$ " + ShellCommand.of(words));
        long start = System.nanoTime();
        String[] argv = args.toArray(String[]::new);
        int exit = Minibert.commandLine(argv).execute(argv);
        if (exit != 0) {
            throw new IllegalStateException("quickstart: step '" + name + "' failed (exit " + exit
                    + "); its message is above, and it can be rerun on its own");
        }
        steps.add(step(name, ShellCommand.of(words), start));
    }

    private Path writeModelConfig(Path vocab) throws IOException {
        long vocabSize;
        try (var lines = Files.lines(vocab, StandardCharsets.UTF_8)) {
            vocabSize = lines.count();
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", budget.hidden);
        c.put("num_hidden_layers", budget.layers);
        c.put("num_attention_heads", 2);
        c.put("intermediate_size", 4 * budget.hidden);
        c.put("max_position_embeddings", 128);
        c.put("hidden_dropout_prob", budget.dropout);
        c.put("attention_probs_dropout_prob", budget.dropout);
        c.put("norm_style", "post");
        Path file = out.resolve(MODEL_CONFIG);
        AtomicFiles.write(file, JSON.writeValueAsBytes(c));
        return file;
    }

    private Map<String, Object> evaluate(Path model, Path file) throws IOException {
        SavedModel saved = SavedModel.open(model);
        DatasetFormat format = saved.kind() == SavedModel.Kind.CLASSIFIER ? DatasetFormat.single(file) : null;
        return ModelEvaluation.run(saved, file, new ModelEvaluation.Options(format, 64, 64, 20, 1000, seed));
    }

    /**
     * The baseline that always answers the training set's most frequent label, scored on the same test examples
     * (their gold labels are the rows of the pretrained classifier's confusion matrix).
     */
    private Map<String, Object> majorityClass(Path train, Map<String, Object> scored) {
        ClassificationDataset rows = ClassificationDataset.load(train, DatasetFormat.single(train), null, false);
        int[] counts = new int[rows.labels().size()];
        rows.examples().forEach(e -> counts[e.label()]++);
        int top = 0;
        for (int c = 1; c < counts.length; c++) {
            top = counts[c] > counts[top] ? c : top;
        }
        String majority = rows.labels().name(top);
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) scored.get("labels");
        int[][] confusion = (int[][]) scored.get("confusion");
        List<Integer> gold = new ArrayList<>();
        for (int c = 0; c < confusion.length; c++) {
            for (int n : confusion[c]) {
                for (int i = 0; i < n; i++) {
                    gold.add(c);
                }
            }
        }
        int[] predicted = new int[gold.size()];
        Arrays.fill(predicted, labels.indexOf(majority));
        ClassificationMetrics m = ClassificationMetrics.of(gold.stream().mapToInt(Integer::intValue).toArray(),
                predicted, labels.size());
        ClassificationMetrics.Bootstrap ci = m.bootstrap(1000, seed);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", "majority class");
        out.put("label", majority);
        out.put("examples", m.count());
        out.put("accuracy", m.accuracy());
        out.put("macro_f1", m.macroF1());
        out.put("accuracy_ci95", List.of(ci.accuracy().lower(), ci.accuracy().upper()));
        out.put("macro_f1_ci95", List.of(ci.macroF1().lower(), ci.macroF1().upper()));
        return out;
    }

    private static Map<String, Object> named(String name, Map<String, Object> scores) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.putAll(scores);
        return out;
    }

    private static Map<String, Object> step(String name, String command, long startNanos) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("command", command);
        s.put("seconds", seconds(startNanos));
        return s;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
