package dev.minibert.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Masked-LM gradient accumulation (dropout 0): the loop's step of 2 micro-batches of 4 is the step over the one
 * batch of 8 they make up, with the masks the loop drew for each (seeds of micro-batches g = 0 and 1). Every
 * sequence has as many tokens, so each micro-batch predicts as many, and the mean of the two micro-batch means is
 * the mean over the big batch. Double precision on the real 2-layer MLM model.
 */
class MlmGradientAccumulationTest {
    private static final int ROWS = 16;
    private static final int LENGTH = 12;
    private static final long SEED = 3;

    @TempDir
    Path dir;

    private record Setup(BertConfig config, Vocab vocab, List<Instance> instances, MaskingCollator collator) {
    }

    private Setup setup() throws IOException {
        TinyCorpus.write(dir, 0.0);
        BertConfig config = BertConfig.read(dir.resolve("config.json"));
        Vocab vocab = Vocab.read(dir.resolve("vocab.txt"));
        Random r = new Random(9);
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            int[] ids = new int[LENGTH];
            ids[0] = vocab.clsId();
            ids[LENGTH - 1] = vocab.sepId();
            for (int t = 1; t < LENGTH - 1; t++) {
                ids[t] = Vocab.SPECIAL_TOKENS.size() + r.nextInt(vocab.size() - Vocab.SPECIAL_TOKENS.size());
            }
            boolean[] wordStart = new boolean[LENGTH];
            Arrays.fill(wordStart, true);
            instances.add(new Instance(ids, new int[LENGTH], wordStart, false));
        }
        return new Setup(config, vocab, instances, new MaskingCollator(vocab, 0.15, 5, false));
    }

    private static BertForMaskedLM model(BertConfig config, ParameterStore store) {
        BertForMaskedLM model = new BertForMaskedLM(config, store, true);
        Initializer.initialize(store, config.initializerRange, 11);
        return model;
    }

    @Test
    void twoMicroBatchesOfFourMakeTheStepOfTheirBatchOfEight() throws IOException {
        Setup s = setup();
        MicroBatches microBatches = new MicroBatches(new EpochOrder(ROWS, 4, SEED), 2, SEED);
        ParameterStore accumulated = new ParameterStore(DataType.DOUBLE);
        BertForMaskedLM model = model(s.config(), accumulated);
        List<Double> losses = new ArrayList<>();
        MlmTrainingTask task = new MlmTrainingTask(s.config(), s.vocab(), true, accumulated, model, s.instances(),
                s.collator(), null, microBatches);
        new TrainingLoop(task, new AdamW(0.9, 0.999, 1e-8, 0.0), new LinearWarmupDecay(1e-3, 0, 1),
                new TrainingLoop.Options(1, 2, 0.0, 1, 0, 1, 1), dir.resolve("run"))
                .onMetrics(row -> losses.add((Double) row.get("loss"))).run(false);

        Batch first = s.collator().collate(examples(s, microBatches, 0), microBatches.seed(SeedPurpose.MASKING, 0));
        Batch second = s.collator().collate(examples(s, microBatches, 1), microBatches.seed(SeedPurpose.MASKING, 1));
        assertThat(first.maskedRows()).as("as many predictions in each micro-batch")
                .hasSameSizeAs(second.maskedRows()).isNotEmpty();
        Batch whole = concat(first, second);
        ParameterStore big = new ParameterStore(DataType.DOUBLE);
        double loss = model(s.config(), big).forwardBackward(whole.inputIds(), whole.tokenTypeIds(),
                whole.attentionMask(), whole.maskedRows(), whole.maskedLabels(), 1.0).loss();

        assertThat(losses).hasSize(1);
        assertThat(losses.get(0)).isCloseTo(loss, org.assertj.core.data.Percentage.withPercentage(1e-10));
        assertSameGradients(accumulated, big);
    }

    private static List<Instance> examples(Setup s, MicroBatches microBatches, long g) {
        return IntStream.of(microBatches.examples(g)).mapToObj(s.instances()::get).toList();
    }

    /** The two batches as one: rows of the second follow the first's (all have the same length). */
    private static Batch concat(Batch a, Batch b) {
        assertThat(a.seqLen()).isEqualTo(b.seqLen());
        int offset = a.batchSize() * a.seqLen();
        return new Batch(join(a.inputIds(), b.inputIds()), join(a.tokenTypeIds(), b.tokenTypeIds()),
                join(a.attentionMask(), b.attentionMask()),
                IntStream.concat(IntStream.of(a.maskedRows()), IntStream.of(b.maskedRows()).map(r -> r + offset)).toArray(),
                IntStream.concat(IntStream.of(a.maskedLabels()), IntStream.of(b.maskedLabels())).toArray(), a.seqLen());
    }

    private static int[][] join(int[][] a, int[][] b) {
        int[][] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * Tolerance 1e-12 relative to the largest entry: the same double arithmetic but for the order of the sums over
     * the batch (8 rows at once, or 4 and 4 each halved), a few ulps; a wrong scale is off by a factor of 2, a wrong
     * micro-batch or mask by O(1).
     */
    private static void assertSameGradients(ParameterStore actual, ParameterStore expected) {
        StoreGradients.assertWithin(StoreGradients.of(actual), StoreGradients.of(expected), 1e-12);
    }
}
