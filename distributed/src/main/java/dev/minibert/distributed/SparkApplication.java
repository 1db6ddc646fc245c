package dev.minibert.distributed;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Starts minibert's Spark application on a master, refusing in one line one that cannot be reached or parsed. */
final class SparkApplication {
    private SparkApplication() {
    }

    static JavaSparkContext start(String master, String name) {
        SparkMaster.requireReachable(master);
        SparkConf conf = new SparkConf().setMaster(master).setAppName(name)
                .setIfMissing("spark.ui.showConsoleProgress", "false");
        if (master.startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        try {
            return new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--spark " + master + ": " + e.getMessage(), e);
        }
    }
}
