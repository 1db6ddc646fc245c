package dev.minibert.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.AtomicFiles;
import dev.minibert.model.io.SafeTensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The loop's guard against non-finite steps, its logging, and its checkpoints, on a one-parameter task. */
class TrainingLoopTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path out;

    /**
     * Loss ‖w − 1‖²; the steps listed in {@code bad} (0-based) report a NaN loss instead, or with
     * {@code finiteLoss} a NaN in one gradient entry under a finite loss (an overflow in a backward pass).
     */
    private static final class Quadratic implements TrainingTask {
        final ParameterStore store = new ParameterStore(DataType.DOUBLE);
        final Parameter w = store.add("w.weight", 3);
        final Set<Long> bad;
        final boolean finiteLoss;

        Quadratic(Set<Long> bad) {
            this(bad, false);
        }

        Quadratic(Set<Long> bad, boolean finiteLoss) {
            this.bad = bad;
            this.finiteLoss = finiteLoss;
        }

        @Override
        public ParameterStore store() {
            return store;
        }

        @Override
        public double forwardBackward(long step, int micro, double scale, Map<String, Object> metrics) {
            if (bad.contains(step) && !finiteLoss) {
                w.grad().addi(Double.NaN);
                return Double.NaN;
            }
            w.grad().addi(w.value().sub(1).muli(2 * scale));
            if (bad.contains(step)) {
                w.grad().putScalar(1, Double.NaN);
            }
            double d = w.value().sub(1).norm2Number().doubleValue();
            return d * d;
        }

        @Override
        public void writeModel(Path dir) throws IOException {
            SafeTensors.write(dir.resolve("model.safetensors"), Map.of(w.name(), w.value()), Map.of());
        }
    }

    private TrainingLoop loop(Quadratic task, long steps, int maxBad) {
        return new TrainingLoop(task, new AdamW(0.9, 0.999, 1e-8, 0.0), new LinearWarmupDecay(0.1, 0, steps),
                new TrainingLoop.Options(steps, 1, 1.0, 1, 2, 2, maxBad), out);
    }

    @Test
    void nonFiniteStepIsSkippedBeforeTheUpdateAndLogged() throws IOException {
        Quadratic task = new Quadratic(Set.of(2L));
        List<double[]> values = new ArrayList<>();
        TrainingLoop.Result r = loop(task, 5, 3).onMetrics(m -> values.add(task.w.value().toDoubleVector())).run(false);
        assertThat(r.skippedSteps()).isEqualTo(1);
        assertThat(values.get(2)).as("the NaN step left the weights as they were").containsExactly(values.get(1));
        for (double v : task.w.value().toDoubleVector()) {
            assertThat(v).isFinite();
        }
        List<JsonNode> rows = rows();
        assertThat(rows.get(2).get("step").asLong()).isEqualTo(3);
        assertThat(rows.get(2).get("skipped").asText()).isEqualTo("non-finite loss");
        assertThat(rows.get(4).get("loss").asDouble()).isLessThan(rows.get(0).get("loss").asDouble());
    }

    @Test
    void aNonFiniteGradientUnderAFiniteLossIsSkippedCountedAndEndsTheRunAfterMaxBadSteps() throws IOException {
        Quadratic once = new Quadratic(Set.of(1L), true);
        List<double[]> values = new ArrayList<>();
        TrainingLoop.Result r = loop(once, 4, 2).onMetrics(m -> values.add(once.w.value().toDoubleVector())).run(false);
        assertThat(r.skippedSteps()).isEqualTo(1);
        assertThat(r.steps()).isEqualTo(4);
        assertThat(values.get(1)).as("no update from the NaN gradient").containsExactly(values.get(0));
        assertThat(values.get(2)).as("the next step updates again").isNotEqualTo(values.get(1));
        JsonNode skipped = rows().get(1);
        assertThat(skipped.get("skipped").asText()).isEqualTo("non-finite gradient");
        assertThat(skipped.get("loss").asDouble()).isFinite();
        assertThat(skipped.get("grad_norm").asText()).isEqualTo("NaN");

        AtomicFiles.deleteRecursively(out.resolve("metrics.jsonl"));
        Quadratic twice = new Quadratic(Set.of(1L, 2L), true);
        assertThatThrownBy(() -> loop(twice, 6, 2).run(false)).isInstanceOf(DivergedException.class)
                .hasMessageContaining("2 consecutive non-finite steps up to step 3");
        List<JsonNode> rows = rows();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(2).get("skipped").asText()).isEqualTo("non-finite gradient");
    }

    @Test
    void tooManyBadStepsInARowStopTheRunWithoutACheckpointOfThem() {
        Quadratic task = new Quadratic(Set.of(2L, 3L, 4L));
        assertThatThrownBy(() -> loop(task, 8, 3).run(false)).isInstanceOf(DivergedException.class)
                .hasMessageContaining("3 consecutive non-finite steps").hasMessageContaining("step 5");
        assertThat(out.resolve("checkpoints/checkpoint-2")).isDirectory();
        assertThat(out.resolve("checkpoints/checkpoint-4")).doesNotExist();
    }

    @Test
    void checkpointsKeepTheLastOnesAndHoldTheState() throws IOException {
        Quadratic task = new Quadratic(Set.of());
        loop(task, 6, 3).run(false);
        assertThat(out.resolve("checkpoints/checkpoint-2")).doesNotExist(); // keep 2: 4 and 6
        Path last = out.resolve("checkpoints/checkpoint-6");
        assertThat(last.resolve("optimizer.safetensors")).exists();
        assertThat(JSON.readTree(last.resolve("trainer_state.json").toFile()).get("step").asLong()).isEqualTo(6);
        assertThat(SafeTensors.read(last.resolve("model.safetensors")).get("w.weight").toDoubleVector())
                .containsExactly(task.w.value().toDoubleVector());
        try (var files = Files.list(out.resolve("checkpoints"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("checkpoint-4", "checkpoint-6");
        }
    }

    /**
     * A checkpoint write killed half-way leaves its temp folder, a whole model and optimizer copy: the next run on
     * the folder, holding its lock, deletes every one (whatever PID wrote it), and nothing else of the folder.
     */
    @Test
    void theTempFoldersOfKilledCheckpointWritesAreDeletedByTheNextRun() throws IOException {
        Path checkpoints = Files.createDirectories(out.resolve("checkpoints"));
        List<Path> abandoned = new ArrayList<>();
        for (String name : List.of(".checkpoint-2.999999-1f3a.tmp",
                AtomicFiles.uniqueName(".checkpoint-4.", ".tmp"))) { // this process's PID, from an earlier run in it
            Path tmp = Files.createDirectory(checkpoints.resolve(name));
            Files.writeString(tmp.resolve("optimizer.safetensors"), "half written");
            abandoned.add(tmp);
        }
        Path mine = Files.createDirectory(checkpoints.resolve(".checkpoint-backup"));
        Files.writeString(mine.resolve("notes.txt"), "mine");

        loop(new Quadratic(Set.of()), 6, 3).run(false);

        assertThat(abandoned).allSatisfy(p -> assertThat(p).doesNotExist());
        assertThat(mine.resolve("notes.txt")).hasContent("mine");
        try (var files = Files.list(checkpoints)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(".checkpoint-backup", "checkpoint-4", "checkpoint-6");
        }
    }

    /**
     * A user's file inside a checkpoint folder stays: pruning deletes only what minibert wrote there, and a write
     * that would replace such a folder (one a resume passed over) is refused naming it, deleting nothing of it.
     */
    @Test
    void aUsersFileInsideACheckpointFolderIsNeverDeleted() throws IOException {
        Path notes = out.resolve("checkpoints/checkpoint-2/notes.txt");
        loop(new Quadratic(Set.of()), 6, 3).onMetrics(row -> {
            if (((Number) row.get("step")).longValue() == 3) {
                try {
                    Files.writeString(notes, "mine");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }).run(false);

        assertThat(notes).hasContent("mine");
        try (var files = Files.list(notes.getParent())) {
            assertThat(files).as("pruned but for the user's file").containsExactly(notes);
        }

        Path six = out.resolve("checkpoints/checkpoint-6");
        Path inSix = Files.writeString(six.resolve("notes.txt"), "mine too");
        assertThatThrownBy(() -> loop(new Quadratic(Set.of()), 6, 3).run(true, out.resolve("checkpoints/checkpoint-4")))
                .isInstanceOf(IOException.class).hasMessageStartingWith(six + " holds files minibert did not write")
                .hasMessageContaining(inSix.toString());
        assertThat(inSix).hasContent("mine too");
    }

    /**
     * A checkpoint whose trainer_state.json records no sha256 (an older minibert's, or a hand-edited one)
     * cannot be verified: the resume passes over it to the previous one and still ends where an
     * uninterrupted run does. A run shortened below the checkpoint's step is refused.
     */
    @Test
    void anUnverifiableCheckpointIsPassedOverAndARunShorterThanItsStepRefused() throws IOException {
        Quadratic whole = new Quadratic(Set.of());
        loop(whole, 6, 3).run(false);
        double[] expected = whole.w.value().toDoubleVector();
        List<JsonNode> expectedRows = rows();
        AtomicFiles.deleteRecursively(out.resolve("metrics.jsonl"));
        AtomicFiles.deleteRecursively(out.resolve("checkpoints"));

        assertThatThrownBy(() -> loop(new Quadratic(Set.of()), 6, 3).onMetrics(m -> {
            if (((Number) m.get("step")).longValue() == 5) {
                throw new IllegalStateException("killed");
            }
        }).run(false)).hasMessage("killed");
        Path state = out.resolve("checkpoints/checkpoint-4/trainer_state.json");
        Files.writeString(state, "{\"step\": 4, \"total_steps\": 6}");

        Quadratic resumed = new Quadratic(Set.of());
        assertThatThrownBy(() -> loop(resumed, 1, 3).run(true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("checkpoint-2").hasMessageContaining("at step 2, beyond this run's 1 steps");
        loop(resumed, 6, 3).run(true);
        assertThat(resumed.w.value().toDoubleVector()).containsExactly(expected);
        assertThat(rows().stream().map(r -> r.get("loss").asDouble()).toList())
                .containsExactlyElementsOf(expectedRows.stream().map(r -> r.get("loss").asDouble()).toList());
    }

    private List<JsonNode> rows() throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"), StandardCharsets.UTF_8)) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }
}
