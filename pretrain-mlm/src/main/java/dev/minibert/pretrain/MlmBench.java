package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.bench.BenchResult;
import dev.minibert.model.bench.StepTimer;
import dev.minibert.model.train.AdamW;
import dev.minibert.model.train.GlobalNormClipper;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The peer's {@code --task mlm} workload: each step masks ~15% of random tokens (80/10/10), then
 * forward, backward, clipping and AdamW of encoder + MLM head, logits only at masked positions.
 */
public final class MlmBench {
    private static final int MASK_ID = 4; // the peer's [MASK] id in its synthetic vocabulary
    private static final double MASKED_SHARE = 0.15;

    private MlmBench() {
    }

    public static String run(BertConfig config, int batch, int seq, int steps, int warmup, int threads, long seed) {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForMaskedLM model = new BertForMaskedLM(config, store, true);
        Initializer.initialize(store, config.initializerRange, seed);
        SplittableRandom random = new SplittableRandom(seed);
        int[][] ids = new int[batch][seq];
        int[][] types = new int[batch][seq];
        int[][] mask = new int[batch][seq];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                ids[b][t] = random.nextInt(5, config.vocabSize);
            }
            Arrays.fill(mask[b], 1);
        }
        AdamW adamW = new AdamW(0.9, 0.999, 1e-8, 0.01);
        GlobalNormClipper clipper = new GlobalNormClipper(1.0);
        long[] step = {0};
        Runnable work = () -> {
            int[][] input = new int[batch][];
            int[] rows = new int[batch * seq];
            int[] labels = new int[batch * seq];
            int m = 0;
            for (int b = 0; b < batch; b++) {
                input[b] = ids[b].clone();
                for (int t = 0; t < seq; t++) {
                    if (random.nextDouble() < MASKED_SHARE) {
                        rows[m] = b * seq + t;
                        labels[m++] = ids[b][t];
                        double r = random.nextDouble();
                        input[b][t] = r < 0.8 ? MASK_ID : r < 0.9 ? random.nextInt(5, config.vocabSize) : ids[b][t];
                    }
                }
            }
            store.zeroGrad();
            model.bert().reseedDropout(seed + step[0]);
            model.forwardBackward(input, types, mask, Arrays.copyOf(rows, m), Arrays.copyOf(labels, m), 1.0);
            clipper.clip(store);
            adamW.step(store, 1e-4 * Math.min(1.0, (++step[0]) / 100.0));
        };
        return BenchResult.json("mlm", config, batch, seq, threads, MASKED_SHARE,
                StepTimer.time(work, warmup, steps));
    }
}
