package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.io.ChildJvm;
import dev.minibert.model.io.ModelDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #20: every {@code --out} refuses what minibert did not write and changes nothing there; minibert's own
 * outputs are replaced only as the rules say; one run per folder, and a run killed with -9 leaves no stale lock.
 */
class OutputGuardTest {
    @TempDir
    Path dir;
    private Path config;
    private Path vocab;
    private Path corpus;

    @BeforeEach
    void tinyInputs() throws IOException {
        config = Files.writeString(dir.resolve("config.json"), TinySavedModels.config().toJsonString(),
                StandardCharsets.UTF_8);
        vocab = dir.resolve("vocab.txt");
        TinyModelFiles.vocab().write(vocab);
        corpus = TinySavedModels.corpus(dir.resolve("corpus.txt"));
    }

    /** A folder like a home directory: dot files, documents, a key. */
    private Path homeLike() throws IOException {
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.writeString(home.resolve(".bashrc"), "export EDITOR=vi\n");
        Files.writeString(Files.createDirectory(home.resolve("Documents")).resolve("thesis.txt"), "chapter 1\n");
        Files.writeString(Files.createDirectory(home.resolve(".ssh")).resolve("id_ed25519"), "secret\n");
        return home;
    }

    private CliRun init(Path out, long seed) {
        return CliRun.of("", "init", "--config", config.toString(), "--vocab", vocab.toString(), "--out", out.toString(),
                "--seed", Long.toString(seed));
    }

    private List<String> pretrain(Path out, int steps, String... more) {
        List<String> args = new ArrayList<>(List.of("pretrain", "--corpus", corpus.toString(), "--vocab",
                vocab.toString(), "--config", config.toString(), "--out", out.toString(), "--max-steps",
                Integer.toString(steps), "--batch-size", "2", "--max-seq-len", "16", "--log-every", "1",
                "--eval-fraction", "0"));
        args.addAll(List.of(more));
        return args;
    }

    private List<String> finetune(Path out) throws IOException {
        Path model = dir.resolve("encoder");
        if (!Files.exists(model)) {
            TinySavedModels.encoder(model);
        }
        return new ArrayList<>(List.of("finetune", "--model", model.toString(), "--train",
                TinySavedModels.labeledCsv(dir.resolve("labeled.csv")).toString(), "--out", out.toString(),
                "--epochs", "1", "--batch-size", "2", "--max-seq-len", "16", "--log-every", "1"));
    }

    private static CliRun cli(List<String> args) {
        return CliRun.of("", args.toArray(String[]::new));
    }

    @Test
    void initRefusesAFolderHoldingAUserFileAndLeavesItAlone() throws IOException {
        Path mine = Files.createDirectory(dir.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "my notes");

        CliRun r = init(mine, 1);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("minibert init: error: " + mine + " is not empty and is not a minibert "
                + "output folder").doesNotContain("\tat ").doesNotContain("wrote");
        assertThat(tree(mine)).isEqualTo(Map.of("notes.txt", "my notes"));
    }

    /** The reported bug: {@code init --out .} in a folder holding notes.txt printed "wrote ." and deleted it. */
    @Test
    void initWithOutDotInAUserFolderRefusesAndKeepsTheFile() throws Exception {
        Path cwd = Files.createDirectory(dir.resolve("cwd"));
        Files.writeString(cwd.resolve("notes.txt"), "my notes");

        ChildJvm child = ChildJvm.start(cwd, List.of(), Minibert.class.getName(), null,
                List.of("init", "--config", config.toString(), "--vocab", vocab.toString(), "--out", "."));

        assertThat(child.exitCode()).as(child.output()).isEqualTo(1);
        assertThat(child.output()).contains("minibert init: error: " + cwd.toRealPath() + " is not empty")
                .doesNotContain("\tat ").doesNotContain("wrote");
        assertThat(tree(cwd)).isEqualTo(Map.of("notes.txt", "my notes"));
    }

    @Test
    void everyCommandRefusesAHomeLikeFolderAndChangesNothing() throws IOException {
        Path home = homeLike();
        Map<String, String> before = tree(home);
        Path model = TinySavedModels.encoder(dir.resolve("encoder"));
        Path labeled = TinySavedModels.labeledCsv(dir.resolve("labeled.csv"));
        Path bashrc = home.resolve(".bashrc");
        List<String> finetune = List.of("finetune", "--model", model.toString(), "--train", labeled.toString(),
                "--out", home.toString(), "--epochs", "1", "--batch-size", "2", "--max-seq-len", "16");
        List<String> experiment = List.of("experiment", "init-std", "--budget", "tiny", "--corpus", corpus.toString(),
                "--vocab", vocab.toString(), "--out", home.toString());
        List<String> quickstart = List.of("quickstart", "--budget", "tiny", "--out", home.toString(), "--cache",
                dir.resolve("no-cache").toString());
        List<List<String>> commands = List.of(
                List.of("init", "--config", config.toString(), "--vocab", vocab.toString(), "--out", home.toString()),
                pretrain(home, 1), pretrain(home, 1, "--resume"), pretrain(home, 1, "--overwrite"),
                finetune, plus(finetune, "--resume"), plus(finetune, "--overwrite"),
                experiment, plus(experiment, "--overwrite"), quickstart, plus(quickstart, "--overwrite"));
        for (List<String> command : commands) {
            CliRun r = cli(command);
            assertThat(r.exitCode()).as(command + "\n" + r.stderr()).isEqualTo(1);
            assertThat(r.stderr()).as(command.toString()).contains(home + " is not empty and is not a minibert output "
                    + "folder").doesNotContain("\tat ");
        }
        for (List<String> command : List.of(
                List.of("vocab", "train", "--corpus", corpus.toString(), "--vocab-size", "20", "--out", bashrc.toString()),
                List.of("report", model.toString(), "--out", bashrc.toString()))) {
            CliRun r = cli(command);
            assertThat(r.exitCode()).as(command + "\n" + r.stderr()).isEqualTo(1);
            assertThat(r.stderr()).as(command.toString()).contains(bashrc + " already exists and minibert cannot "
                    + "tell it wrote it").contains("--overwrite").doesNotContain("\tat ");
        }
        assertThat(tree(home)).isEqualTo(before);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("nothing made beside it either")
                    .containsExactlyInAnyOrder("config.json", "vocab.txt", "corpus.txt", "encoder", "labeled.csv",
                            "home");
        }
    }

    @Test
    void replacingAModelFolderKeepsTheUsersFileAndSwapsTheSet() throws IOException {
        Path model = dir.resolve("model");
        assertThat(init(model, 1).exitCode()).isZero();
        Files.writeString(model.resolve("notes.txt"), "my notes");

        CliRun again = init(model, 2);

        assertThat(again.exitCode()).as(again.stderr()).isZero();
        Path reference = dir.resolve("reference");
        assertThat(init(reference, 2).exitCode()).isZero();
        assertThat(model.resolve(ModelDirectory.WEIGHTS)).hasSameBinaryContentAs(reference.resolve(ModelDirectory.WEIGHTS));
        assertThat(model.resolve("notes.txt")).hasContent("my notes");
        Set<String> expected = new TreeSet<>(tree(reference).keySet());
        expected.add("notes.txt");
        assertThat(tree(model).keySet()).isEqualTo(expected);
    }

    @Test
    void aPretrainingRunIsReplacedOnlyWithOverwriteWhichKeepsTheUsersFile() throws IOException {
        Path run = dir.resolve("run");
        assertThat(cli(pretrain(run, 2)).exitCode()).isZero();
        Files.writeString(run.resolve("notes.txt"), "my notes");

        CliRun again = cli(pretrain(run, 3));
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr()).contains(run + " already holds a minibert pretrain run; pass --overwrite to "
                + "replace it or --resume to continue it");
        assertThat(cli(pretrain(run, 3, "--overwrite", "--resume")).exitCode()).as("usage error").isEqualTo(2);

        CliRun overwritten = cli(pretrain(run, 3, "--overwrite"));

        assertThat(overwritten.exitCode()).as(overwritten.stderr()).isZero();
        assertThat(run.resolve("notes.txt")).hasContent("my notes");
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).as("a fresh run, not appended to the old one")
                .hasSize(3).first().asString().startsWith("{\"step\":1,");
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("checkpoint-3");
        }
    }

    /** --overwrite deletes what minibert wrote inside model/ and checkpoints/, file by file, and says what it kept. */
    @Test
    void overwriteKeepsTheUsersFilesInsideThePretrainingRunsFoldersAndNamesThem() throws IOException {
        Path run = dir.resolve("run");
        assertThat(cli(pretrain(run, 2, "--save-every", "1")).exitCode()).isZero();
        Path inModel = Files.writeString(run.resolve("model/notes.txt"), "model notes");
        Path inCheckpoints = Files.writeString(run.resolve("checkpoints/notes.txt"), "checkpoint notes");
        Path inCheckpoint = Files.writeString(run.resolve("checkpoints/checkpoint-2/notes.txt"), "step 2 notes");

        CliRun overwritten = cli(pretrain(run, 3, "--overwrite"));

        assertThat(overwritten.exitCode()).as(overwritten.stderr()).isZero();
        assertThat(inModel).hasContent("model notes");
        assertThat(inCheckpoints).hasContent("checkpoint notes");
        assertThat(inCheckpoint).hasContent("step 2 notes");
        for (Path kept : List.of(inModel, inCheckpoints, inCheckpoint)) {
            assertThat(overwritten.stderr()).contains("--overwrite kept " + kept + ": minibert did not write it");
        }
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(3);
        assertThat(tree(run.resolve("checkpoints/checkpoint-2"))).as("the old checkpoint's own files are gone")
                .isEqualTo(Map.of("notes.txt", "step 2 notes"));
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("notes.txt", "checkpoint-2", "checkpoint-3");
        }
        assertThat(ModelDirectory.open(run.resolve("model")).tensors()).isNotEmpty();
    }

    @Test
    void overwriteKeepsTheUsersFileInsideAFinetuningRunsTrainingFolder() throws IOException {
        Path out = dir.resolve("classifier");
        List<String> finetune = finetune(out);
        assertThat(cli(finetune).exitCode()).isZero();
        Path mine = Files.writeString(out.resolve("training/notes.txt"), "my notes");

        CliRun overwritten = cli(plus(finetune, "--overwrite"));

        assertThat(overwritten.exitCode()).as(overwritten.stderr()).isZero();
        assertThat(mine).hasContent("my notes");
        assertThat(overwritten.stderr()).contains("--overwrite kept " + mine + ": minibert did not write it");
        assertThat(Files.readAllLines(out.resolve("training/metrics.jsonl"))).first().asString()
                .startsWith("{\"step\":1,");
    }

    /** A run refused for bad input (an option, a missing corpus or dataset) has deleted nothing, --overwrite or not. */
    @Test
    void aRefusedRunWithOverwriteLeavesTheEarlierRunIntact() throws IOException {
        Path run = dir.resolve("run");
        assertThat(cli(pretrain(run, 2)).exitCode()).isZero();
        Map<String, String> before = tree(run);
        Path missing = dir.resolve("missing.txt");
        List<String> noCorpus = pretrain(run, 2, "--overwrite");
        noCorpus.set(noCorpus.indexOf(corpus.toString()), missing.toString());
        Path out = dir.resolve("classifier");
        assertThat(cli(finetune(out)).exitCode()).isZero();
        Map<String, String> finetuned = tree(out);
        List<String> noTrain = plus(finetune(out), "--overwrite");
        noTrain.set(noTrain.indexOf("--train") + 1, missing.toString());

        for (List<String> refused : List.of(pretrain(run, 2, "--overwrite", "--mlm-probability", "1.5"), noCorpus)) {
            CliRun r = cli(refused);
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
            assertThat(tree(run)).as(refused.toString()).isEqualTo(before);
        }
        for (List<String> refused : List.of(plus(plus(finetune(out), "--overwrite"), "--metric=bogus"), noTrain)) {
            CliRun r = cli(refused);
            assertThat(r.exitCode()).as(r.stderr()).isNotZero();
            assertThat(tree(out)).as(refused.toString()).isEqualTo(finetuned);
        }
    }

    /**
     * Two runs on one folder: a real {@code minibert pretrain} child held in the middle of writing its first
     * checkpoint; a second run exits 1 naming the folder and the child's PID; after kill -9 --resume is not blocked,
     * and ends with the losses and model bytes of an uninterrupted run.
     */
    @Test
    void aSecondRunOnALockedFolderFailsNamingThePidAndAKilledRunResumes() throws Exception {
        Path run = dir.resolve("run");
        ChildJvm child = ChildJvm.start(dir, List.of("-D" + ModelDirectory.PAUSE_PROPERTY + "=1"),
                Minibert.class.getName(), "paused at swap step 1", pretrain(run, 4, "--save-every", "2"));
        child.awaitSignal();

        refusedWhileLocked(child, run, List.of(pretrain(run, 4, "--resume"), pretrain(run, 4)));
        child.kill();

        CliRun resumed = cli(pretrain(run, 4, "--save-every", "2", "--resume"));

        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        Path reference = dir.resolve("uninterrupted");
        assertThat(cli(pretrain(reference, 4, "--save-every", "2")).exitCode()).isZero();
        assertThat(PretrainResumeTest.losses(run)).hasSize(4)
                .containsExactlyElementsOf(PretrainResumeTest.losses(reference));
        assertThat(run.resolve("model").resolve(ModelDirectory.WEIGHTS))
                .hasSameBinaryContentAs(reference.resolve("model").resolve(ModelDirectory.WEIGHTS));
    }

    /** The same for finetune: a second run, with --resume or without, is refused naming the child's PID. */
    @Test
    void aSecondFinetuningRunOnALockedFolderFailsNamingThePid() throws Exception {
        Path out = dir.resolve("classifier");
        List<String> finetune = finetune(out);
        ChildJvm child = ChildJvm.start(dir, List.of("-D" + ModelDirectory.PAUSE_PROPERTY + "=1"),
                Minibert.class.getName(), "paused at swap step 1", finetune);
        child.awaitSignal();

        refusedWhileLocked(child, out, List.of(plus(finetune, "--resume"), finetune));
        child.kill();
    }

    private static void refusedWhileLocked(ChildJvm child, Path out, List<List<String>> commands) {
        for (List<String> command : commands) {
            CliRun second = cli(command);
            assertThat(second.exitCode()).as(command + "\n" + second.stderr()).isEqualTo(1);
            assertThat(second.stderr()).contains(out + " is in use by another minibert process (PID " + child.pid()
                    + ",").doesNotContain("\tat ");
        }
    }

    @Test
    void vocabAndReportFilesAreReplacedOnlyIfMinibertWroteThemOrWithOverwrite() throws IOException {
        Path mine = Files.writeString(dir.resolve("my-vocab.txt"), "my words\n");
        List<String> train = List.of("vocab", "train", "--corpus", corpus.toString(), "--vocab-size", "40", "--out",
                mine.toString());
        assertThat(cli(train).exitCode()).isEqualTo(1);
        assertThat(mine).hasContent("my words");
        CliRun overwritten = cli(plus(train, "--overwrite"));
        assertThat(overwritten.exitCode()).as(overwritten.stderr()).isZero();
        assertThat(Files.readAllLines(mine)).contains("[CLS]", "the");

        Path model = dir.resolve("model");
        assertThat(init(model, 1).exitCode()).isZero();
        Path html = Files.writeString(dir.resolve("page.html"), "<html>my page</html>");
        List<String> report = List.of("report", model.toString(), "--out", html.toString());
        assertThat(cli(report).exitCode()).isEqualTo(1);
        assertThat(html).hasContent("<html>my page</html>");
        assertThat(cli(plus(report, "--overwrite")).exitCode()).isZero();
        CliRun rebuilt = cli(report);
        assertThat(rebuilt.exitCode()).as("its own report is replaced without --overwrite: " + rebuilt.stderr()).isZero();
        assertThat(Files.readString(html)).contains("Model " + model);
    }

    private static List<String> plus(List<String> args, String more) {
        List<String> all = new ArrayList<>(args);
        all.add(more);
        return all;
    }

    /** Every file under {@code root} (relative path to content), folders implied. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }
}
