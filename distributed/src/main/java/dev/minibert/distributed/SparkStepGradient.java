package dev.minibert.distributed;

import dev.minibert.model.Nd4jSetup;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.train.StepGradient;
import dev.minibert.pretrain.MlmWorkload;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Each optimizer step as one Spark job, as Spark MLlib's optimizers run theirs: the driver broadcasts the parameters,
 * one task per worker computes its share of the step's micro-batches, and the driver collects the shares in
 * partition order (not treeAggregate, whose merge order varies) and sums them into its gradients, where the
 * training loop clips and updates as on one machine. The step's timings go into its metrics row.
 */
final class SparkStepGradient implements StepGradient {
    /** System property: the step (0-based) whose tasks fail on their first attempt (retry tests). */
    static final String FAIL_FIRST_ATTEMPT_PROPERTY = "minibert.failFirstAttemptAtStep";
    /** Spark's SparkContext.DRIVER_IDENTIFIER: the executor that is the driver itself (local[N]). */
    private static final String DRIVER_EXECUTOR_ID = "driver";

    private final JavaSparkContext spark;
    private final int workers;
    private final ParameterStore store;
    private final MlmWorkload workload;

    SparkStepGradient(JavaSparkContext spark, int workers, ParameterStore store, MlmWorkload workload) {
        this.spark = spark;
        this.workers = workers;
        this.store = store;
        this.workload = workload;
    }

    @Override
    public double compute(long step, Map<String, Object> row) {
        long start = System.nanoTime();
        Broadcast<float[]> parameters = spark.broadcast(FlatParameters.values(store));
        long broadcast = System.nanoTime();
        MlmWorkload work = workload;
        int n = workers;
        List<GradientShare> shares = spark.parallelize(IntStream.range(0, n).boxed().toList(), n)
                .map(worker -> share(work, parameters.value(), step, worker, n))
                .collect();
        long collected = System.nanoTime();
        parameters.destroy();
        double loss = GradientShare.sumInto(store, shares, workload.accumulation(), row);
        long summed = System.nanoTime();
        long slowest = shares.stream().mapToLong(GradientShare::computeNanos).max().orElseThrow();
        row.put("spark_broadcast_s", (broadcast - start) / 1e9);
        row.put("spark_task_max_s", slowest / 1e9);
        row.put("spark_task_mean_s", shares.stream().mapToLong(GradientShare::computeNanos).average().orElseThrow() / 1e9);
        // scheduling, fetching the broadcast and sending the shares back: the job's time beyond its slowest task
        row.put("spark_overhead_s", (collected - broadcast - slowest) / 1e9);
        row.put("spark_sum_s", (summed - collected) / 1e9);
        return loss;
    }

    private static GradientShare share(MlmWorkload workload, float[] parameters, long step, int worker, int workers)
            throws IOException {
        if (String.valueOf(step).equals(System.getProperty(FAIL_FIRST_ATTEMPT_PROPERTY))
                && TaskContext.get().attemptNumber() == 0) {
            throw new IllegalStateException("step " + step + ", worker " + worker + ": first attempt fails ("
                    + FAIL_FIRST_ATTEMPT_PROPERTY + ")");
        }
        if (!DRIVER_EXECUTOR_ID.equals(SparkEnv.get().executorId())) {
            // an executor's JVM sees the machine's cores, not the ones Spark gave this task (the bits do not change)
            Nd4jSetup.init(TaskContext.get().cpus());
        }
        return MicroBatchWorker.run(workload, parameters, step, worker, workers);
    }
}
