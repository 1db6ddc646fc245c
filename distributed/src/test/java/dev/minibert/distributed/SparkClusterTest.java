package dev.minibert.distributed;

import static dev.minibert.distributed.SameRun.assertSameRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.BlasSelfCheck;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.pretrain.Sharding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pretrain --spark spark://... --workers 2} on a real Spark standalone cluster on this machine (a master and
 * two workers of one core each, in network namespaces where possible; {@link StandaloneCluster}), each executor a JVM
 * of its own: the same model, optimizer state and losses as {@code local[2]}, also when an executor is killed with
 * kill -9 while it runs a task. The longer check, 40 steps: scripts/spark-standalone-check.sh.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // undisturbed first: both workers' first executors
class SparkClusterTest {
    private static final int STEPS = 6;
    private static final int WORKERS = 2;

    @TempDir
    static Path tmp;
    private static ShardedCorpus corpus;
    private static Path shards;
    private static Path local;
    private static StandaloneCluster cluster;
    private static SparkWorkers workers;

    @BeforeAll
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    static void shardTrainInLocalModeAndStartTheCluster() throws IOException, InterruptedException {
        long start = System.nanoTime();
        // the daemons start while this JVM trains in local mode
        cluster = StandaloneCluster.start(tmp.resolve("cluster"), WORKERS);
        long started = System.nanoTime();
        BlasSelfCheck.verify();
        corpus = new ShardedCorpus(tmp).write();
        shards = tmp.resolve("shards");
        Sharding.run(corpus.sharding(shards));
        local = tmp.resolve("local");
        try (SparkWorkers inProcess = new SparkWorkers("local[" + WORKERS + "]", WORKERS)) {
            Pretraining.run(corpus.pretraining(shards, local, 1, STEPS), null, m -> { }, inProcess);
        }
        long trained = System.nanoTime();
        Map<String, String> conf = cluster.driverConf(WORKERS);
        conf.forEach(System::setProperty); // SparkConf reads spark.* system properties when it is made
        try {
            workers = new SparkWorkers(cluster.master(), WORKERS);
        } finally {
            conf.keySet().forEach(System::clearProperty);
        }
        System.out.printf("master listening after %.1f s, local[%d] run %.1f s, application started %.1f s%n",
                (started - start) / 1e9, WORKERS, (trained - started) / 1e9, (System.nanoTime() - trained) / 1e9);
    }

    @AfterAll
    static void stopTheCluster() {
        try {
            if (workers != null) {
                workers.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    @Order(1)
    void twoExecutorJvmsOnTheClusterEndWithTheModelOfLocalMode() throws IOException {
        Path run = tmp.resolve("cluster-run");
        Tasks tasks = new Tasks();
        SparkContext.getOrCreate().addSparkListener(tasks); // the SparkWorkers' own context
        try {
            Pretraining.run(corpus.pretraining(shards, run, 1, STEPS), null, m -> { }, workers);
        } finally {
            SparkContext.getOrCreate().removeSparkListener(tasks);
        }
        assertThat(tasks.hosts).as("the hosts of the executors that ran tasks").hasSize(
                cluster.network().startsWith("loopback") ? 1 : WORKERS);
        assertThat(tasks.executors).as("the executors that ran tasks").hasSize(WORKERS);
        assertSameRun(local, run, STEPS);
    }

    @Test
    @Order(2)
    void anExecutorKilledWhileItRunsATaskEndsWithTheModelOfLocalMode() throws IOException {
        int killAt = 3;
        Path run = tmp.resolve("killed-executor");
        Tasks tasks = new Tasks();
        SparkContext.getOrCreate().addSparkListener(tasks);
        try {
            Pretraining.run(corpus.pretraining(shards, run, 1, STEPS), null, row -> {
                if (row.containsKey("loss") && ((Number) row.get("step")).longValue() == killAt) {
                    assertThat(cluster.executors().count()).as("executor JVMs running").isEqualTo(WORKERS);
                    tasks.killNext.set(true); // the next task to start: one of step 4's
                }
            }, workers);
        } finally {
            SparkContext.getOrCreate().removeSparkListener(tasks);
        }
        System.out.printf("killed executor %s with kill -9 after step %d; executors removed: %s, tasks lost with "
                + "them: %d%n", tasks.killed, killAt, tasks.removed, tasks.lost.size());
        assertThat(tasks.killed).as("an executor killed").hasSize(1);
        assertThat(tasks.removed).as("Spark saw it lost").containsAll(tasks.killed);
        assertSameRun(local, run, STEPS);
    }

    /**
     * Where the tasks ran, which executors Spark lost and the tasks with them; once {@code killNext} is set, kills
     * (kill -9) the executor JVM of the next task that starts, as soon as Spark reports it started.
     */
    private static final class Tasks extends SparkListener {
        final Set<String> executors = ConcurrentHashMap.newKeySet();
        final Set<String> hosts = ConcurrentHashMap.newKeySet();
        final AtomicBoolean killNext = new AtomicBoolean();
        final List<String> killed = new CopyOnWriteArrayList<>();
        final List<String> removed = new CopyOnWriteArrayList<>();
        final List<Long> lost = new CopyOnWriteArrayList<>();

        @Override
        public void onTaskStart(SparkListenerTaskStart start) {
            String executor = start.taskInfo().executorId();
            executors.add(executor);
            hosts.add(start.taskInfo().host());
            if (killNext.compareAndSet(true, false)) {
                cluster.executor(executor).ifPresent(p -> {
                    p.destroyForcibly();
                    killed.add(executor);
                });
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.reason() instanceof ExecutorLostFailure) {
                lost.add(end.taskInfo().taskId());
            }
        }

        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved removal) {
            removed.add(removal.executorId());
        }
    }
}
