package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BertConfig;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.StoreGradients;
import dev.minibert.model.train.AdamW;
import dev.minibert.model.train.EpochOrder;
import dev.minibert.model.train.LinearWarmupDecay;
import dev.minibert.model.train.MicroBatches;
import dev.minibert.model.train.SeedPurpose;
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
import java.util.stream.IntStream;
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
        return run(batchSize, accumulation, 0.0);
    }

    private Run run(int batchSize, int accumulation, double dropout) throws IOException {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertForSequenceClassification model = model(dropout, store);
        ClassificationTask task = new ClassificationTask(model, store, train(), null,
                microBatches(batchSize, accumulation), "accuracy", 0, d -> { }, dir);
        Path out = dir.resolve("b" + batchSize + "a" + accumulation);
        new TrainingLoop(task, new AdamW(0.9, 0.999, 1e-8, 0.0), new LinearWarmupDecay(1e-3, 2, 2),
                new TrainingLoop.Options(2, accumulation, 0.0, 1, 0, 1, 1), out).run(false);
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"), StandardCharsets.UTF_8)) {
            losses.add(JSON.readTree(line).get("loss").asDouble());
        }
        return new Run(losses, StoreGradients.of(store));
    }

    /** The 2-layer classifier, initialized with seed 11. */
    private static BertForSequenceClassification model(double dropout, ParameterStore store) {
        BertConfig config = TinyPretrained.config(BertConfig.NormStyle.POST, dropout);
        BertForSequenceClassification model = new BertForSequenceClassification(config, store, 2, null);
        Initializer.initialize(store, config.initializerRange, 11);
        return model;
    }

    private static EncodedExamples train() {
        Random r = new Random(5);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            boolean second = r.nextBoolean();
            examples.add(new Example(TinyPretrained.text(r, r.nextBoolean(), second), null, second ? 1 : 0, i + 2));
        }
        return new EncodedExamples(examples, new BertTokenizer(TinyPretrained.vocab(), true), 16);
    }

    private static MicroBatches microBatches(int batchSize, int accumulation) {
        return new MicroBatches(new EpochOrder(ROWS, batchSize, 3), accumulation, 3);
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
        StoreGradients.assertWithin(accumulated.gradients(), whole.gradients(), 1e-12);
    }

    /**
     * Dropout on (0.1): the loop's gradient of step 2 (two micro-batches of 4, at the initial weights: the first step
     * runs at learning rate 0) is the mean of the two micro-batches' gradients computed one at a time, each on the
     * examples and under the dropout seed of micro-batch g = step·2 + micro ({@code MicroBatches.seed(DROPOUT, g)}).
     * Tolerance 1e-12 of the largest entry, as above (the same sums in another order); under another micro-batch's
     * seed the gradient is off by far more, so the seeds are what is checked.
     */
    @Test
    void withDropoutTheAccumulatedGradientIsTheMeanOfItsMicroBatchesUnderTheLoopsSeeds() throws IOException {
        double dropout = 0.1;
        Run accumulated = run(4, 2, dropout);

        MicroBatches microBatches = microBatches(4, 2);
        EncodedExamples train = train();
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertForSequenceClassification model = model(dropout, store);
        List<Map<String, double[]>> micro = new ArrayList<>();
        for (long g : new long[] {2, 3, 2}) { // step 1's micro-batches 0 and 1; then micro-batch 3 under 2's seed
            store.zeroGrad();
            model.reseedDropout(microBatches.seed(SeedPurpose.DROPOUT, g));
            EncodedExamples.Batch b = train.batch(microBatches.examples(micro.size() == 2 ? 3 : g));
            model.forwardBackward(b.inputIds(), b.tokenTypeIds(), b.attentionMask(), b.labels(), 1.0);
            micro.add(StoreGradients.of(store));
        }
        Map<String, double[]> mean = new LinkedHashMap<>();
        Map<String, double[]> wrongSeed = new LinkedHashMap<>();
        for (String name : micro.get(0).keySet()) {
            double[] a = micro.get(0).get(name);
            double[] b = micro.get(1).get(name);
            double[] c = micro.get(2).get(name);
            mean.put(name, IntStream.range(0, a.length).mapToDouble(i -> 0.5 * a[i] + 0.5 * b[i]).toArray());
            wrongSeed.put(name, IntStream.range(0, a.length).mapToDouble(i -> 0.5 * a[i] + 0.5 * c[i]).toArray());
        }

        StoreGradients.assertWithin(accumulated.gradients(), mean, 1e-12);
        double off = 0;
        for (Map.Entry<String, double[]> e : wrongSeed.entrySet()) {
            double[] m = mean.get(e.getKey());
            for (int i = 0; i < m.length; i++) {
                off = Math.max(off, Math.abs(e.getValue()[i] - m[i]));
            }
        }
        assertThat(off).as("dropout changes the gradient").isGreaterThan(1e-6 * StoreGradients.largest(mean));
    }
}
