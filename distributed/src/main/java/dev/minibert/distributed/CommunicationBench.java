package dev.minibert.distributed;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * What a pretraining step costs in Spark without its compute: the job {@link SparkStepGradient} runs (broadcast the
 * parameters, one task per worker, each returning as many floats, collected in order), with tasks that compute
 * nothing. Prints one line per payload size: the median seconds of a step. docs/spark.md fits fixed and per-byte
 * costs to them.
 *
 * <p>Usage: {@code CommunicationBench MASTER WORKERS REPEATS MEGABYTES...}
 */
public final class CommunicationBench {
    private CommunicationBench() {
    }

    public static void main(String[] args) {
        String master = args[0];
        int workers = Integer.parseInt(args[1]);
        int repeats = Integer.parseInt(args[2]);
        try (JavaSparkContext spark = SparkApplication.start(master, "minibert communication bench")) {
            for (int i = 3; i < args.length; i++) {
                int floats = Integer.parseInt(args[i]) * 1_000_000 / Float.BYTES;
                step(spark, workers, floats); // warm up: the first job starts the executors' code
                double[] seconds = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    seconds[r] = step(spark, workers, floats);
                }
                Arrays.sort(seconds);
                System.out.printf("{\"master\": \"%s\", \"workers\": %d, \"megabytes\": %s, \"repeats\": %d, "
                        + "\"median_s\": %.4f, \"min_s\": %.4f}%n", master, workers, args[i], repeats,
                        seconds[repeats / 2], seconds[0]);
            }
        }
    }

    private static double step(JavaSparkContext spark, int workers, int floats) {
        long start = System.nanoTime();
        Broadcast<float[]> parameters = spark.broadcast(new float[floats]);
        List<float[]> shares = spark.parallelize(IntStream.range(0, workers).boxed().toList(), workers)
                .map(worker -> new float[parameters.value().length])
                .collect();
        parameters.destroy();
        if (shares.size() != workers) {
            throw new IllegalStateException(shares.size() + " shares from " + workers + " workers");
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
