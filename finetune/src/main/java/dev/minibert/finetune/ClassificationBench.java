package dev.minibert.finetune;

import dev.minibert.model.BertModel;
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
 * The peer's {@code --task cls} and {@code --task infer} workloads: a training step (forward, backward,
 * clipping, AdamW) of encoder + pooler + classifier, or a forward pass without gradients.
 */
public final class ClassificationBench {
    private ClassificationBench() {
    }

    /**
     * @param task "cls" (train step), "infer" (the logits and every last hidden state, as the peers' inference returns
     *             both) or "predict" (the logits alone, as {@code minibert predict} computes them: the last layer for
     *             [CLS] only)
     */
    public static String run(String task, BertConfig config, int batch, int seq, int steps, int warmup, int threads,
                             long seed) {
        if (!task.equals("cls") && !task.equals("infer") && !task.equals("predict")) {
            throw new IllegalArgumentException("task must be cls, infer or predict, got " + task);
        }
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForSequenceClassification model = new BertForSequenceClassification(config, store, 2, null);
        Initializer.initialize(store, config.initializerRange, seed);
        if (!task.equals("cls")) {
            store.freeze(); // as `minibert predict` loads a model
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[][] ids = new int[batch][seq];
        int[][] types = new int[batch][seq];
        int[][] mask = new int[batch][seq];
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                ids[b][t] = random.nextInt(5, config.vocabSize);
            }
            Arrays.fill(mask[b], 1);
            labels[b] = random.nextInt(2);
        }
        AdamW adamW = new AdamW(0.9, 0.999, 1e-8, 0.01);
        GlobalNormClipper clipper = new GlobalNormClipper(1.0);
        long[] step = {0};
        Runnable work = switch (task) {
            case "infer" -> () -> {
                try (BertModel.NoGrad noGrad = model.bert().noGrad()) {
                    model.logits(ids, types, mask, false);
                }
            };
            case "predict" -> () -> {
                try (BertModel.NoGrad noGrad = model.bert().noGrad()) {
                    model.predictLogits(ids, types, mask);
                }
            };
            default -> () -> {
                store.zeroGrad();
                model.reseedDropout(seed + step[0]);
                model.forwardBackward(ids, types, mask, labels, 1.0);
                clipper.clip(store);
                adamW.step(store, 1e-4 * Math.min(1.0, (++step[0]) / 100.0));
            };
        };
        double readShare = task.equals("infer") ? 1 : 1.0 / seq; // every state, or [CLS]'s
        return BenchResult.json(task, config, batch, seq, threads, readShare, StepTimer.time(work, warmup, steps));
    }
}
