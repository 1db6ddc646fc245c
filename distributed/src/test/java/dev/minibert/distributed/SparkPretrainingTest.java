package dev.minibert.distributed;

import static dev.minibert.distributed.SameRun.assertSameRun;
import static dev.minibert.distributed.SameRun.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.io.ChildJvm;
import dev.minibert.model.io.SafeTensors;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.pretrain.Sharding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code pretrain --shards S --spark local[2] --workers 2}: the trajectory of the run on one machine with twice the
 * accumulation, the bits of the same workers simulated in this process, through a failed task too.
 */
class SparkPretrainingTest {
    private static final int STEPS = 10;

    @TempDir
    static Path tmp;
    private static ShardedCorpus corpus;
    private static Path shards;
    /** The undisturbed Spark run, which the other tests compare against. */
    private static Path sparkRun;

    @BeforeAll
    static void shardAndTrainOnSpark() throws IOException {
        BlasSelfCheck.verify();
        corpus = new ShardedCorpus(tmp).write();
        shards = tmp.resolve("shards");
        Sharding.run(corpus.sharding(shards));
        sparkRun = tmp.resolve("spark");
        try (SparkWorkers workers = new SparkWorkers("local[2]", 2)) {
            Pretraining.run(corpus.pretraining(shards, sparkRun, 1, STEPS), null, m -> { }, workers);
        }
    }

    @Test
    void twoSparkWorkersFollowTheTrajectoryOfOneMachineAccumulatingTwoMicroBatches() throws IOException {
        Path plain = tmp.resolve("plain");
        Pretraining.run(corpus.pretraining(shards, plain, 2, STEPS), m -> { });
        Map<String, INDArray> expected = SafeTensors.read(plain.resolve("model/model.safetensors"));
        Map<String, INDArray> actual = SafeTensors.read(sparkRun.resolve("model/model.safetensors"));
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        double maxTheta = 0;
        double maxDiff = 0;
        for (String name : expected.keySet()) {
            maxTheta = Math.max(maxTheta, expected.get(name).amaxNumber().doubleValue());
            maxDiff = Math.max(maxDiff, expected.get(name).sub(actual.get(name)).amaxNumber().doubleValue());
        }
        System.out.printf("spark local[2] x2 vs accumulation 2 after %d steps: max |diff| %.3g, max |theta| %.3g%n",
                STEPS, maxDiff, maxTheta);
        // the shares are summed after each worker's backward instead of inside one: float rounding differs
        assertThat(maxDiff).isLessThanOrEqualTo(1e-6 * maxTheta);
        // the first step's micro-batches see the same parameters: their losses and counts agree exactly
        JsonNode plainFirst = rows(plain).get(0);
        JsonNode sparkFirst = rows(sparkRun).get(0);
        for (String key : List.of("loss", "masked_tokens", "masked_correct", "tokens", "epoch")) {
            assertThat(sparkFirst.get(key).asText()).as(key).isEqualTo(plainFirst.get(key).asText());
        }
    }

    @Test
    void sparkRunIsBitIdenticalToTheWorkersSimulatedInProcess() throws IOException {
        Path simulated = tmp.resolve("simulated");
        Pretraining.run(corpus.pretraining(shards, simulated, 1, STEPS), null, m -> { }, new InProcessWorkers(2));
        assertSameRun(sparkRun, simulated, STEPS);
        assertThat(rows(sparkRun).get(0).has("spark_task_max_s")).as("timings logged").isTrue();
    }

    @Test
    void aTaskFailingItsFirstAttemptIsRetriedAndTheRunEndsBitIdentical() throws IOException {
        Path retried = tmp.resolve("retried");
        System.setProperty(SparkStepGradient.FAIL_FIRST_ATTEMPT_PROPERTY, "3");
        try (SparkWorkers workers = new SparkWorkers("local[2,2]", 2)) { // two attempts per task
            Pretraining.run(corpus.pretraining(shards, retried, 1, STEPS), null, m -> { }, workers);
        } finally {
            System.clearProperty(SparkStepGradient.FAIL_FIRST_ATTEMPT_PROPERTY);
        }
        assertSameRun(sparkRun, retried, STEPS);
    }

    @Test
    void whenRetriesAreExhaustedTheRunFailsWithItsLastCheckpointIntactAndResumesBitIdentical() throws IOException {
        Path failed = tmp.resolve("failed");
        System.setProperty(SparkStepGradient.FAIL_FIRST_ATTEMPT_PROPERTY, "5");
        try (SparkWorkers workers = new SparkWorkers("local[2]", 2)) { // one attempt per task
            assertThatThrownBy(() -> Pretraining.run(corpus.pretraining(shards, failed, 1, STEPS, 4, false), null,
                    m -> { }, workers)).hasMessageContaining("first attempt fails");
        } finally {
            System.clearProperty(SparkStepGradient.FAIL_FIRST_ATTEMPT_PROPERTY);
        }
        try (Stream<Path> checkpoints = Files.list(failed.resolve("checkpoints"))) {
            assertThat(checkpoints.map(p -> p.getFileName().toString())).containsExactly("checkpoint-4");
        }
        // the resume checks the checkpoint's sha256s before it continues from it
        try (SparkWorkers workers = new SparkWorkers("local[2]", 2)) {
            Pretraining.run(corpus.pretraining(shards, failed, 1, STEPS, 4, true), null, m -> { }, workers);
        }
        assertSameRun(sparkRun, failed, STEPS);
    }

    @Test
    void aDriverKilledMidRunContinuesWithResumeBitIdentical() throws Exception {
        Path killed = tmp.resolve("killed");
        int killAt = 4; // step 4's row reaches the listener after checkpoint-3 is written, before checkpoint-4 is
        ChildJvm driver = ChildJvm.start(tmp, SparkDriverMain.sparkJavaOptions(), SparkDriverMain.class.getName(),
                SparkDriverMain.STEP_LINE + killAt, List.of(tmp.toString(), shards.toString(), killed.toString(),
                        Long.toString(STEPS)));
        try {
            driver.awaitSignal();
        } finally {
            driver.kill(); // kill -9: wherever the driver is by then, writing checkpoint-4 or in a later step's job
        }
        assertThat(driver.exitCode()).as(driver.output()).isEqualTo(137);
        int stepsDone = rows(killed).size();
        assertThat(stepsDone).as("killed mid-run").isBetween(killAt, STEPS - 1);
        System.out.printf("driver killed with kill -9 after step %d of %d%n", stepsDone, STEPS);

        try (SparkWorkers workers = new SparkWorkers("local[2]", 2)) {
            Pretraining.run(corpus.pretraining(shards, killed, 1, STEPS, 1, true), null, m -> { }, workers);
        }
        assertSameRun(sparkRun, killed, STEPS);
    }

    @Test
    void anUnreachableMasterIsRefusedInOneLineNamingIt() {
        assertThatThrownBy(() -> new SparkWorkers("spark://127.0.0.1:1", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--spark spark://127.0.0.1:1: no Spark master answers at 127.0.0.1:1 (")
                .hasMessageNotContaining("\n");
    }
}
