package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BertConfig;
import dev.minibert.model.Initializer;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.train.AdamW;
import dev.minibert.model.train.EpochOrder;
import dev.minibert.model.train.LinearWarmupDecay;
import dev.minibert.model.train.MicroBatches;
import dev.minibert.model.train.TrainingLoop;
import dev.minibert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Gradient accumulation 2 over micro-batches of 4 must be one optimizer step over the batch of 8 they
 * make up: the micro-steps must read consecutive slices of the epoch order (micro-step g = step·2 + micro)
 * and each must be scaled by 1/2. Checked on a real 2-layer classifier in double precision.
 */
class GradientAccumulationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 16;

    @TempDir
    Path dir;

    /** Per-step losses and the second step's gradient; warming up over both steps, the first runs at lr 0 (no update). */
    private record Run(List<Double> losses, Map<String, double[]> gradients) {
    }

    private Run run(int batchSize, int accumulation) throws IOException {
        BertConfig config = TinyPretrained.config(BertConfig.NormStyle.POST, 0.0);
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertForSequenceClassification model = new BertForSequenceClassification(config, store, 2, null);
        Initializer.initialize(store, config.initializerRange, 11);
        Random r = new Random(5);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            boolean second = r.nextBoolean();
            examples.add(new Example(TinyPretrained.text(r, r.nextBoolean(), second), null, second ? 1 : 0, i + 2));
        }
        EncodedExamples train = new EncodedExamples(examples, new BertTokenizer(TinyPretrained.vocab(), true), 16);
        ClassificationTask task = new ClassificationTask(model, store, train, null,
                new MicroBatches(new EpochOrder(ROWS, batchSize, 3), accumulation, 3), "accuracy", 0, d -> { }, dir);
        Path out = dir.resolve("b" + batchSize + "a" + accumulation);
        new TrainingLoop(task, new AdamW(0.9, 0.999, 1e-8, 0.0), new LinearWarmupDecay(1e-3, 2, 2),
                new TrainingLoop.Options(2, accumulation, 0.0, 1, 0, 1, 1), out).run(false);
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"), StandardCharsets.UTF_8)) {
            losses.add(JSON.readTree(line).get("loss").asDouble());
        }
        Map<String, double[]> gradients = new LinkedHashMap<>();
        for (Parameter p : store) {
            gradients.put(p.name(), p.grad().dup().reshape(p.grad().length()).toDoubleVector());
        }
        return new Run(losses, gradients);
    }

    /**
     * Tolerance 1e-12, relative to the largest gradient entry: the two runs do the same arithmetic in
     * double precision except for the order of the batch mean (8 terms at once, or 4 and 4 halved), which
     * moves a result by a few ulps (~1e-16 relative) per operation; a wrong scale is off by a factor of 2
     * and a wrong micro-batch by O(1).
     */
    @Test
    void twoMicroBatchesOfFourMakeOneStepOverTheirBatchOfEight() throws IOException {
        Run accumulated = run(4, 2);
        Run whole = run(8, 1);
        assertThat(accumulated.losses()).hasSize(2);
        for (int step = 0; step < 2; step++) {
            assertThat(accumulated.losses().get(step)).as("loss of step %d", step + 1)
                    .isCloseTo(whole.losses().get(step), org.assertj.core.data.Percentage.withPercentage(1e-10));
        }
        double largest = 0;
        for (double[] g : whole.gradients().values()) {
            for (double v : g) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        assertThat(largest).as("a gradient to compare").isGreaterThan(1e-6);
        for (Map.Entry<String, double[]> e : whole.gradients().entrySet()) {
            double[] a = accumulated.gradients().get(e.getKey());
            double[] b = e.getValue();
            for (int i = 0; i < b.length; i++) {
                assertThat(Math.abs(a[i] - b[i])).as("%s[%d]", e.getKey(), i).isLessThanOrEqualTo(1e-12 * largest);
            }
        }
    }
}
