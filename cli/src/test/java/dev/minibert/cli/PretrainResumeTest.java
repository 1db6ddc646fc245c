package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.io.ChildJvm;
import dev.minibert.model.io.OutputFolder;
import dev.minibert.model.train.TrainingLoop;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code minibert pretrain --resume} after real damage: a JVM killed from outside during checkpoint writes, a JVM
 * halted half-way through a metrics row, a truncated or bit-flipped checkpoint file, a changed option (a JVM halted
 * half-way through a checkpoint: PretrainingTest). Every resumed run must log
 * exactly the losses of one uninterrupted 8-step run (dropout on, so the seeds of each step matter too).
 */
class PretrainResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DOCUMENTS = List.of("the cat sat on the mat", "the dog ran very fast",
            "the cat ran on the mat", "the dog sat very slow", "the mat sat on the cat", "very fast the dog ran");

    @TempDir
    static Path data;
    static List<Double> uninterrupted;

    @TempDir
    Path dir;

    /** The corpus, vocab and config, and the reference run: 8 steps, constant learning rate after no warmup. */
    @BeforeAll
    static void referenceRun() throws IOException {
        Files.writeString(data.resolve("corpus.txt"), String.join("\n\n", DOCUMENTS) + "\n", StandardCharsets.UTF_8);
        TinyModelFiles.vocab().write(data.resolve("vocab.txt"));
        Files.writeString(data.resolve("config.json"), TinyModelFiles.config().toJsonString(), StandardCharsets.UTF_8);
        Path out = data.resolve("uninterrupted");
        CliRun run = CliRun.of("", args(out, 8));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        uninterrupted = losses(out);
        assertThat(uninterrupted).hasSize(8).doesNotHaveDuplicates();
    }

    /**
     * A constant learning rate (no warmup, no decay) makes a run grown from 6 to 8 steps the same as one of 8.
     * An option in {@code more} that is already there replaces its value.
     */
    private static String[] args(Path out, long steps, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--corpus", data.resolve("corpus.txt").toString(),
                "--vocab", data.resolve("vocab.txt").toString(), "--config", data.resolve("config.json").toString(),
                "--out", out.toString(), "--max-steps", Long.toString(steps), "--batch-size", "2", "--max-seq-len", "12",
                "--learning-rate", "1e-3", "--warmup-steps", "0", "--decay-ratio", "0", "--log-every", "1",
                "--save-every", "2", "--eval-fraction", "0", "--threads", "1"));
        for (int i = 0; i < more.length; i++) {
            int at = a.indexOf(more[i]);
            if (at >= 0 && i + 1 < more.length) {
                a.set(at + 1, more[++i]);
            } else {
                a.add(more[i]);
            }
        }
        return a.toArray(String[]::new);
    }

    @Test
    void aTornLastMetricsRowIsDroppedWithAWarningAndTheResumedLogIsWhole() throws Exception {
        Path out = dir.resolve("run");
        assertThat(haltedChild(TrainingLoop.CRASH_METRICS_PROPERTY, "5", args(out, 8))).isEqualTo(137);
        String torn = Files.readString(out.resolve("metrics.jsonl"));
        assertThat(torn).as("the halted run left half a row").doesNotEndWith("\n").contains("\"step\":5");

        CliRun resumed = CliRun.of("", args(out, 8, "--resume"));
        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(resumed.stderr()).contains(out.resolve("metrics.jsonl") + ":5: dropped a torn last line");
        assertThat(losses(out)).containsExactlyElementsOf(uninterrupted);
        assertThat(Files.readString(out.resolve("metrics.jsonl"))).endsWith("\n");
    }

    @Test
    void aTruncatedNewestModelIsReportedAndThePreviousCheckpointResumedBitForBit() throws IOException {
        resumeAfterDamage("model.safetensors", file -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
        });
    }

    @Test
    void aFlippedByteInTheNewestOptimizerStateIsReportedAndThePreviousCheckpointResumedBitForBit() throws IOException {
        resumeAfterDamage("optimizer.safetensors", file -> {
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 3] ^= 0x10; // inside the last moment tensor: still a well-formed safetensors file
            Files.write(file, bytes);
        });
    }

    private interface Damage {
        void apply(Path file) throws IOException;
    }

    /** 6 steps (checkpoints 2, 4, 6), checkpoint-6 damaged, resumed to 8 steps: from checkpoint-4, as if never stopped. */
    private void resumeAfterDamage(String fileName, Damage damage) throws IOException {
        Path out = dir.resolve("run");
        assertThat(CliRun.of("", args(out, 6)).exitCode()).isZero();
        Path damaged = out.resolve("checkpoints/checkpoint-6").resolve(fileName);
        damage.apply(damaged);

        CliRun resumed = CliRun.of("", args(out, 8, "--resume"));
        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        List<String> warnings = resumed.stderr().lines().filter(l -> l.contains(damaged.toString())).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("WARN", "sha256", "expected", "falling back to checkpoint-4");
        assertThat(resumed.stderr()).contains("resuming from " + out.resolve("checkpoints/checkpoint-4"));
        assertThat(losses(out)).containsExactlyElementsOf(uninterrupted);
    }

    @Test
    void aNamedCheckpointIsResumedAndADamagedNamedOneRefused() throws IOException {
        Path out = dir.resolve("run");
        assertThat(CliRun.of("", args(out, 6)).exitCode()).isZero();
        Path second = out.resolve("checkpoints/checkpoint-2");
        Files.writeString(second.resolve("config.json"), " ", StandardOpenOption.APPEND);
        CliRun refused = CliRun.of("", args(out, 8, "--resume=" + second));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains(second.resolve("config.json") + " is damaged: sha256")
                .doesNotContain("\tat ");

        Path fourth = out.resolve("checkpoints/checkpoint-4");
        CliRun resumed = CliRun.of("", args(out, 8, "--resume", fourth.toString()));
        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(resumed.stderr()).contains("resuming from " + fourth);
        assertThat(losses(out)).containsExactlyElementsOf(uninterrupted);
    }

    @Test
    void resumingWithAChangedTrajectoryOptionIsRefusedNamingItsOldAndNewValue() throws IOException {
        Path out = dir.resolve("run");
        assertThat(CliRun.of("", args(out, 4)).exitCode()).isZero();
        byte[] metrics = Files.readAllBytes(out.resolve("metrics.jsonl"));

        CliRun refused = CliRun.of("", args(out, 8, "--resume", "--batch-size", "3"));
        assertThat(refused.exitCode()).isEqualTo(1);
        List<String> errors = refused.stderr().lines().filter(l -> l.contains("error:")).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("--batch-size", "was 2, now 3", "checkpoint-4").doesNotContain("\tat ");
        assertThat(Files.readAllBytes(out.resolve("metrics.jsonl"))).as("nothing rewritten").isEqualTo(metrics);
        try (Stream<Path> checkpoints = Files.list(out.resolve("checkpoints"))) {
            assertThat(checkpoints.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "checkpoint-2", "checkpoint-4");
        }

        CliRun grown = CliRun.of("", args(out, 8, "--resume"));
        assertThat(grown.exitCode()).as("--max-steps may grow: " + grown.stderr()).isZero();
        assertThat(losses(out)).containsExactlyElementsOf(uninterrupted);
    }

    /**
     * A real {@code kill -9} from outside ({@link Process#destroyForcibly}), twice: first the moment a checkpoint's
     * temp folder appears (a checkpoint every step), then the resumed run part-way through later steps. The run
     * resumed after both ends with the uninterrupted run's losses and model bytes, the user's file untouched and
     * no temp folder left.
     */
    @Test
    void aRunKilledFromOutsideDuringCheckpointWritesResumesBitForBit() throws Exception {
        Path out = dir.resolve("run");
        OutputFolder.openRun(out, "pretrain", List.of(), false).close(); // a run folder of minibert's ...
        Path notes = Files.writeString(out.resolve("notes.txt"), "my notes"); // ... holding the user's file
        String[] everyStep = args(out, 8, "--save-every", "1");

        ChildJvm first = ChildJvm.start(dir, List.of(), Minibert.class.getName(), null, List.of(everyStep));
        awaitOrKill(first, () -> Files.isDirectory(out.resolve("checkpoints/checkpoint-2")), "checkpoint-2");
        awaitOrKill(first, () -> !checkpointTemps(out).isEmpty(), "a .checkpoint-*.tmp folder");
        first.kill();
        assertThat(Files.exists(out.resolve("checkpoints/checkpoint-8"))).as("killed before the end").isFalse();

        ChildJvm second = ChildJvm.start(dir, List.of(), Minibert.class.getName(), null,
                List.of(args(out, 8, "--save-every", "1", "--resume")));
        long logged = Files.readAllLines(out.resolve("metrics.jsonl")).size();
        awaitOrKill(second, () -> Files.readAllLines(out.resolve("metrics.jsonl")).size() > logged + 1,
                "two more metrics rows");
        second.kill();

        CliRun resumed = CliRun.of("", args(out, 8, "--save-every", "1", "--resume"));

        assertThat(resumed.exitCode()).as(first.output() + second.output() + resumed.stderr()).isZero();
        assertThat(losses(out)).containsExactlyElementsOf(uninterrupted);
        assertThat(out.resolve("model/model.safetensors"))
                .hasSameBinaryContentAs(data.resolve("uninterrupted/model/model.safetensors"));
        assertThat(notes).hasContent("my notes");
        assertThat(checkpointTemps(out)).isEmpty();
    }

    private interface Condition {
        boolean holds() throws IOException;
    }

    /** Polls {@code condition} while the child runs (at most two minutes); kills the child and fails if it never holds. */
    private static void awaitOrKill(ChildJvm child, Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline || !ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                child.kill();
                throw new AssertionError("never saw " + what + " while the child ran:\n" + child.output());
            }
            Thread.onSpinWait();
        }
    }

    private static List<Path> checkpointTemps(Path out) throws IOException {
        Path folder = out.resolve("checkpoints");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().matches("\\.checkpoint-.*\\.tmp")).toList();
        } catch (java.nio.file.NoSuchFileException renamedMeanwhile) {
            return List.of();
        }
    }

    /** Runs the CLI in a child JVM that halts (as kill -9 would: no shutdown hooks, no flushing) at the property's step. */
    private int haltedChild(String property, String step, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
                "jdk.incubator.vector", "-D" + property + "=" + step, "-cp", System.getProperty("java.class.path"),
                Minibert.class.getName()));
        command.addAll(List.of(args));
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    /** The loss of every step in {@code out}/metrics.jsonl. */
    static List<Double> losses(Path out) throws IOException {
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"), StandardCharsets.UTF_8)) {
            JsonNode row = JSON.readTree(line);
            if (row.has("loss")) {
                losses.add(row.get("loss").asDouble());
            }
        }
        return losses;
    }
}
