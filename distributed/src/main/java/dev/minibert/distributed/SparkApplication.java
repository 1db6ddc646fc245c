package dev.minibert.distributed;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.Utils;

/** Starts minibert's Spark application on a master, refusing in one line one that cannot be reached or parsed. */
final class SparkApplication {
    private SparkApplication() {
    }

    static JavaSparkContext start(String master, String name) {
        SparkMaster.requireReachable(master);
        nameTheDriver(master);
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

    /**
     * Spark names the driver by this machine's host name, and its first {@code SparkConf} fails with an
     * ExceptionInInitializerError where that name does not resolve (a container or chroot whose /etc/hosts lacks it).
     * In local mode nothing outside this JVM connects, so the loopback name serves; a cluster's executors must reach
     * the driver, so there it is refused in one line.
     */
    private static void nameTheDriver(String master) {
        if (System.getenv("SPARK_LOCAL_IP") != null || System.getenv("SPARK_LOCAL_HOSTNAME") != null) {
            return;
        }
        try {
            InetAddress.getLocalHost();
        } catch (UnknownHostException e) {
            if (!master.startsWith("local")) {
                throw new IllegalArgumentException("--spark " + master + ": this machine's name does not resolve ("
                        + e.getMessage() + "); add it to /etc/hosts or set SPARK_LOCAL_IP to the address executors"
                        + " reach the driver at");
            }
            Utils.setCustomHostname("localhost");
        }
    }
}
