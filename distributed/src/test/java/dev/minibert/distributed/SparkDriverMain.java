package dev.minibert.distributed;

import dev.minibert.pretrain.Pretraining;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Child process of the driver-kill test: {@code pretrain --shards S --spark local[2] --workers 2} of
 * {@link ShardedCorpus}, a checkpoint every step, printing {@code finished step N} after each step's metrics.
 * Arguments: the corpus folder, the shards, the run folder, the number of steps.
 */
public final class SparkDriverMain {
    static final String STEP_LINE = "finished step ";

    private SparkDriverMain() {
    }

    /** The options spark-submit would add (the parent pom's spark.java.options, passed on by Surefire). */
    static List<String> sparkJavaOptions() {
        String options = System.getProperty("minibert.spark.java.options");
        if (options == null || options.isBlank()) {
            throw new IllegalStateException("minibert.spark.java.options is not set: run the tests through Maven");
        }
        return Arrays.asList(options.trim().split("\\s+"));
    }

    public static void main(String[] args) throws Exception {
        ShardedCorpus corpus = new ShardedCorpus(Path.of(args[0]));
        try (SparkWorkers workers = new SparkWorkers("local[2]", 2)) {
            Pretraining.run(corpus.pretraining(Path.of(args[1]), Path.of(args[2]), 1, Long.parseLong(args[3]), 1,
                    false), null, row -> {
                        if (row.containsKey("loss")) {
                            System.out.println(STEP_LINE + row.get("step"));
                        }
                    }, workers);
        }
        System.exit(0);
    }
}
