package dev.minibert.distributed;

import dev.minibert.model.ParameterStore;
import dev.minibert.model.train.StepGradient;
import dev.minibert.pretrain.MlmWorkload;
import dev.minibert.pretrain.Pretraining;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code pretrain --spark MASTER --workers N}: a Spark application whose executors run each step's micro-batches,
 * {@code N} tasks a step. On a cluster, give each executor as many cores as a task uses ({@code spark.task.cpus} =
 * {@code spark.executor.cores}): a task is one model's forward and backward, threaded inside.
 */
public final class SparkWorkers implements Pretraining.GradientWorkers, AutoCloseable {
    private final JavaSparkContext spark;
    private final int count;

    /** Starts the Spark application; a master that cannot be reached or parsed is refused in one line. */
    public SparkWorkers(String master, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, got " + count);
        }
        this.spark = SparkApplication.start(master, "minibert pretrain");
        this.count = count;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public StepGradient open(ParameterStore store, MlmWorkload workload) {
        return new SparkStepGradient(spark, count, store, workload);
    }

    @Override
    public void close() {
        spark.stop();
    }
}
