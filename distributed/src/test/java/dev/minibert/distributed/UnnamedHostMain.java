package dev.minibert.distributed;

import java.net.ServerSocket;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Child process of {@link UnnamedHostTest}, started where this machine's name does not resolve: a local[2] job must
 * run, and a cluster master must be refused in one line. Prints {@code sum N} and {@code refused: MESSAGE}.
 */
public final class UnnamedHostMain {
    private UnnamedHostMain() {
    }

    public static void main(String[] args) throws Exception {
        try (JavaSparkContext spark = SparkApplication.start("local[2]", "UnnamedHostMain")) {
            System.out.println("sum " + spark.parallelize(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 2).reduce(Integer::sum));
        }
        try (ServerSocket master = new ServerSocket(0)) { // reachable, so the refusal is about the name
            SparkApplication.start("spark://127.0.0.1:" + master.getLocalPort(), "UnnamedHostMain").close();
            System.out.println("started on a cluster");
        } catch (IllegalArgumentException e) {
            System.out.println("refused: " + e.getMessage());
        }
        System.exit(0);
    }
}
