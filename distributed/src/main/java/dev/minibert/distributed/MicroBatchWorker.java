package dev.minibert.distributed;

import dev.minibert.model.ParameterStore;
import dev.minibert.model.train.TrainingTask;
import dev.minibert.pretrain.MlmWorkload;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One worker's part of a step, wherever it runs (a Spark task, or in this process): of the step's
 * {@code accumulation} micro-batches, worker w of W runs the w-th consecutive 1/W of them, with the micro-batch
 * numbers the loop on one machine gives them, so each sees the same batch, masks and dropout.
 */
final class MicroBatchWorker {
    /**
     * Idle tasks per workload, kept between steps (the model, the mapped shards, the buffers): one for each share that
     * ran at the same time in this JVM (local[N] runs N in one).
     */
    private static final Map<MlmWorkload, Queue<TrainingTask>> IDLE = new ConcurrentHashMap<>();

    private MicroBatchWorker() {
    }

    static GradientShare run(MlmWorkload workload, float[] parameters, long step, int worker, int workers)
            throws IOException {
        long start = System.nanoTime();
        Queue<TrainingTask> idle = IDLE.computeIfAbsent(workload, w -> new ConcurrentLinkedQueue<>());
        TrainingTask task = idle.poll();
        if (task == null) {
            task = workload.open();
        }
        try {
            ParameterStore store = task.store();
            FlatParameters.setValues(store, parameters);
            store.zeroGrad();
            int perWorker = workload.accumulation() / workers;
            double[] losses = new double[perWorker];
            Map<String, Object> metrics = new LinkedHashMap<>();
            for (int i = 0; i < perWorker; i++) {
                losses[i] = task.forwardBackward(step, worker * perWorker + i, 1.0 / workload.accumulation(), metrics);
            }
            return new GradientShare(FlatParameters.gradients(store), losses, metrics, System.nanoTime() - start);
        } finally {
            idle.add(task);
        }
    }
}
