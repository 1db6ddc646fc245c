package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The split of the Java kernels over threads: every item exactly once, pieces on grain boundaries, failures
 * surfaced, and the same bits from every kernel at 1, 2 and 3 threads (the arrays are large enough to split).
 */
class ParallelTest {
    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    @Test
    void coversEveryItemOnceInGrainAlignedPiecesOnSeveralThreads() {
        Parallel.setThreads(3);
        int n = 10_007;
        AtomicIntegerArray visits = new AtomicIntegerArray(n);
        List<int[]> pieces = Collections.synchronizedList(new ArrayList<>());
        Set<String> threadNames = ConcurrentHashMap.newKeySet();
        Parallel.forRange(n, 64, 100, (from, to) -> {
            pieces.add(new int[] {from, to});
            threadNames.add(Thread.currentThread().getName());
            sleep(); // long enough for the workers to start theirs: the caller takes back a piece not yet started
            for (int i = from; i < to; i++) {
                visits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < n; i++) {
            assertThat(visits.get(i)).as("item %d", i).isEqualTo(1);
        }
        assertThat(pieces).hasSize(3);
        assertThat(pieces).allSatisfy(p -> assertThat(p[0] % 64).isZero());
        assertThat(threadNames).hasSize(3);
    }

    @Test
    void smallWorkStaysOnTheCaller() {
        Parallel.setThreads(3);
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(500, 1, 300, (from, to) -> threads.add(Thread.currentThread().getName()));
        assertThat(threads).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void aFailingPieceFailsTheCallAfterEveryPieceHasFinished() {
        Parallel.setThreads(2);
        AtomicIntegerArray finished = new AtomicIntegerArray(2);
        assertThatThrownBy(() -> Parallel.forRange(1000, 1, 1, (from, to) -> {
            if (from > 0) {
                throw new IllegalStateException("piece at " + from);
            }
            sleep();
            finished.set(0, 1);
        })).isInstanceOf(IllegalStateException.class).hasMessage("piece at 500");
        assertThat(finished.get(0)).as("the caller's own piece ran to its end first").isEqualTo(1);
        assertThatThrownBy(() -> Parallel.setThreads(0)).hasMessageContaining("at least 1");
    }

    @Test
    void anIdleWorkerSpinsBrieflyThenParksAndStillTakesTheNextPiece() throws InterruptedException {
        Parallel.setThreads(2);
        Set<String> names = ConcurrentHashMap.newKeySet();
        Parallel.forRange(1000, 1, 1, (from, to) -> names.add(Thread.currentThread().getName()));
        Thread[] workers = Parallel.workerThreads();
        assertThat(workers).hasSize(1);
        // bounded spin: well past SPIN_NANOS the worker is parked, not running on a core
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(Parallel.SPIN_NANOS) + 50);
        while (workers[0].getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(workers[0].getState()).isEqualTo(Thread.State.WAITING);
        // a parked worker is woken for the next piece (or the caller takes the piece back): every item once
        for (int round = 0; round < 20; round++) {
            AtomicIntegerArray visits = new AtomicIntegerArray(1000);
            long pause = round % 2;
            Parallel.forRange(1000, 1, 1, (from, to) -> {
                names.add(Thread.currentThread().getName());
                sleepMillis(pause);
                for (int i = from; i < to; i++) {
                    visits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 1000; i++) {
                assertThat(visits.get(i)).as("item %d, round %d", i, round).isEqualTo(1);
            }
            Thread.sleep(round % 3 == 0 ? TimeUnit.NANOSECONDS.toMillis(Parallel.SPIN_NANOS) + 2 : 0);
        }
        assertThat(names).contains(workers[0].getName());
    }

    @Test
    void retiredWorkersEnd() throws InterruptedException {
        Parallel.setThreads(3);
        Parallel.forRange(1000, 1, 1, (from, to) -> { });
        Thread[] workers = Parallel.workerThreads();
        assertThat(workers).hasSize(2);
        Parallel.setThreads(2);
        for (Thread worker : workers) {
            worker.join(5000);
            assertThat(worker.isAlive()).as(worker.getName()).isFalse();
        }
    }

    /** Callers that share the workers: a piece that finds none free runs on its caller, with the same bounds. */
    @Test
    void concurrentCallersEachCoverEveryItemOnceInTheSamePieces() throws InterruptedException {
        Parallel.setThreads(3);
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread caller = new Thread(() -> {
                for (int round = 0; round < 2000; round++) {
                    int n = 300 + round % 7;
                    AtomicIntegerArray visits = new AtomicIntegerArray(n);
                    List<int[]> pieces = Collections.synchronizedList(new ArrayList<>());
                    Parallel.forRange(n, 4, 10, (from, to) -> {
                        pieces.add(new int[] {from, to});
                        for (int i = from; i < to; i++) {
                            visits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        if (visits.get(i) != 1) {
                            failures.add(new AssertionError("item " + i + " of " + n + ": " + visits.get(i)));
                        }
                    }
                    if (pieces.size() != 3 || pieces.stream().anyMatch(p -> p[0] % 4 != 0)) {
                        failures.add(new AssertionError("pieces of " + n));
                    }
                }
            });
            caller.start();
            callers.add(caller);
        }
        for (Thread caller : callers) {
            caller.join();
        }
        assertThat(failures).isEmpty();
    }

    /** Inference (Gemm's batch-invariant scope) splits smaller work; training's thresholds are as they were. */
    @Test
    void inferenceSplitsSmallerWorkThanTraining() {
        Parallel.setThreads(2);
        assertThat(Parallel.minElementsPerThread()).isEqualTo(Parallel.MIN_ELEMENTS_PER_THREAD).isEqualTo(1 << 15);
        Set<String> outside = ConcurrentHashMap.newKeySet();
        Parallel.forRange(16_384, 16, Parallel.minElementsPerThread(), (from, to) -> outside.add(name()));
        assertThat(outside).containsExactly(name());
        try (Gemm.Invariant ignored = Gemm.batchInvariant()) {
            Parallel.reopenFineSplits(); // a busy machine may have closed them in an earlier test
            assertThat(Parallel.minElementsPerThread()).isEqualTo(Parallel.INFERENCE_MIN_ELEMENTS_PER_THREAD);
            List<int[]> pieces = Collections.synchronizedList(new ArrayList<>());
            Parallel.forRange(16_384, 16, Parallel.minElementsPerThread(), (from, to) -> pieces.add(new int[] {from, to}));
            assertThat(pieces).hasSize(2);
        }
        assertThat(Parallel.minElementsPerThread()).isEqualTo(Parallel.MIN_ELEMENTS_PER_THREAD);
    }

    /** The kernels' bits inside inference's scope, where they split at lower thresholds: those of one thread. */
    @Test
    void kernelsSplitForInferenceGiveTheBitsOfOneThread() {
        assertSameBitsAtAnyThreadCount(() -> {
            try (Gemm.Invariant ignored = Gemm.batchInvariant()) {
                Parallel.reopenFineSplits();
                INDArray x = floats(30, 32, 512);
                Kernels kernels = Kernels.fast();
                INDArray y = new Gelu(kernels).forward(x).dup();
                ParameterStore store = new ParameterStore(DataType.FLOAT);
                LayerNorm ln = new LayerNorm(store, "ln", 128, 1e-12);
                GradientCheck.randomize(store, 31);
                INDArray normed = ln.forward(floats(32, 160, 128), false).dup(); // inference's: no x̂
                INDArray probs = floats(33, 2, 2, 64, 64);
                kernels.attentionSoftmax(probs, Nd4j.zeros(DataType.FLOAT, 2, 64), 0.125f);
                INDArray sum = Nd4j.create(DataType.FLOAT, 32, 512);
                kernels.sum(x, y, sum);
                return List.of(y, normed, probs, sum);
            }
        });
    }

    private static String name() {
        return Thread.currentThread().getName();
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void layerNormForwardAndBackwardGiveTheSameBitsAtAnyThreadCount() {
        assertSameBitsAtAnyThreadCount(() -> {
            ParameterStore store = new ParameterStore(DataType.FLOAT);
            LayerNorm ln = new LayerNorm(store, "ln", 52, 1e-12);
            GradientCheck.randomize(store, 3);
            // 2,000 rows of 52: over 2·2^15 elements, so that 2 and 3 threads split the rows
            INDArray inference = ln.forward(floats(4, 2000, 52), false).dup(); // noGrad's: no x̂ written
            INDArray y = ln.forward(floats(4, 2000, 52)).dup();
            INDArray dx = ln.backward(floats(5, 2000, 52)).dup();
            return List.of(inference, y, dx, ln.gamma().grad(), ln.beta().grad());
        });
    }

    @Test
    void elementAndRowKernelsGiveTheSameBitsAtAnyThreadCount() {
        assertSameBitsAtAnyThreadCount(() -> {
            INDArray x = floats(6, 331, 307); // 101,617 elements: three pieces and a scalar tail
            Kernels kernels = Kernels.fast();
            Gelu gelu = new Gelu(kernels);
            INDArray y = gelu.forward(x).dup();
            INDArray dx = gelu.backward(floats(7, 331, 307)).dup();
            Dropout dropout = new Dropout(0.1, kernels);
            dropout.reseed(8);
            INDArray dropped = dropout.forward(x, true).dup();
            INDArray droppedGrad = dropout.backward(floats(9, 331, 307)).dup();
            INDArray probs = floats(10, 2, 3, 131, 131);
            INDArray mask = Nd4j.zeros(DataType.FLOAT, 2, 131);
            mask.putScalar(1, 130, -10000);
            kernels.attentionSoftmax(probs, mask, 0.125f);
            INDArray scoreGrad = floats(11, 2, 3, 131, 131);
            kernels.attentionSoftmaxBackward(scoreGrad, probs, 0.125f);
            INDArray biasGrad = floats(12, 307);
            kernels.addColumnSums(x, biasGrad);
            INDArray sum = Nd4j.create(DataType.FLOAT, 331, 307);
            kernels.sum(x, dx, sum);
            int[] ids = new int[331];
            for (int n = 0; n < ids.length; n++) {
                ids[n] = n * 7 % 50; // repeats
            }
            INDArray tableGrad = floats(13, 50, 307);
            kernels.scatterAddRows(tableGrad, ids, x);
            return List.of(y, dx, dropped, droppedGrad, probs, scoreGrad, biasGrad, sum, tableGrad);
        });
    }

    @Test
    void adamWCrossEntropyAndBatchedProductsGiveTheSameBitsAtAnyThreadCount() {
        assertSameBitsAtAnyThreadCount(() -> {
            INDArray value = floats(13, 100_003);
            INDArray m = floats(14, 100_003);
            INDArray v = floats(15, 100_003);
            v.muli(v); // a second moment: not negative
            Kernels.fast().adamW(value, floats(16, 100_003), m, v, new Kernels.AdamWStep(1e-3, 0.9, 0.999, 1e-6, 0.99, 3));
            // rows of 3001 classes (vectors and a masked tail) and of 7 (a tail only), enough rows to split
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
            int[] labels = new int[40];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i * 73 % 3001;
            }
            INDArray lossValue = Nd4j.scalar(loss.forward(floats(17, 40, 3001).muli(8), labels));
            INDArray logitsGrad = loss.backward(1).dup();
            int[] fewLabels = new int[15_000];
            for (int i = 0; i < fewLabels.length; i++) {
                fewLabels[i] = i * 5 % 7;
            }
            INDArray fewLossValue = Nd4j.scalar(loss.forward(floats(19, 15_000, 7).muli(8), fewLabels));
            INDArray fewLogitsGrad = loss.backward(1).dup();
            AttentionHeads heads = new AttentionHeads(4, 67, 4, 32);
            INDArray tokens = floats(18, 4 * 67, 3 * 128);
            INDArray scores = Nd4j.create(DataType.FLOAT, 4, 4, 67, 67);
            Gemm.batched(heads.of(tokens, 0), heads.of(tokens, 128), scores, false, true);
            return List.of(value, m, v, lossValue, logitsGrad, fewLossValue, fewLogitsGrad, scores);
        });
    }

    private static void assertSameBitsAtAnyThreadCount(Supplier<List<INDArray>> kernels) {
        Parallel.setThreads(1);
        List<INDArray> alone = kernels.get();
        for (int threads : new int[] {2, 3}) {
            Parallel.setThreads(threads);
            List<INDArray> split = kernels.get();
            for (int i = 0; i < alone.size(); i++) {
                // float[] equality is Arrays.equals: bit for bit, signed zeros told apart
                assertThat(split.get(i).data().asFloat()).as("output %d at %d threads", i, threads)
                        .isEqualTo(alone.get(i).data().asFloat());
            }
        }
    }

    private static INDArray floats(long seed, long... shape) {
        return GradientCheck.randn(seed, shape).castTo(DataType.FLOAT);
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
