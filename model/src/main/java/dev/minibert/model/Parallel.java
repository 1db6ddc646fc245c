package dev.minibert.model;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spreads the Java kernels (GELU, softmax, LayerNorm, dropout, AdamW, ...) and the float gemms over the cores that
 * {@code --threads} grants, so that BLAS's own threads do not sit idle between products (docs/kernels.md).
 * <p>
 * A kernel's split never changes its result. Each piece is computed by the same code as it would be alone, piece
 * boundaries are multiples of the caller's grain (so vector loops and their scalar tails see the same elements at
 * any thread count), and reductions across pieces go through fixed blocks added in order (see
 * {@code FastLayerNorm}). Same seed, same kernel bits, with 1 thread or 16; {@link Gemm}'s products are
 * bit-identical at one thread count only, so a whole training run is too (inference's, batch-invariant, at any).
 */
public final class Parallel {
    /** Work below this many elements per extra thread runs on the caller alone: a hand-off costs ~10-50 µs. */
    public static final int MIN_ELEMENTS_PER_THREAD = 1 << 15;
    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    private static ExecutorService workers;

    private Parallel() {
    }

    /** Kernel threads from now on, the caller's included (the CLI passes --threads). */
    public static synchronized void setThreads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + count);
        }
        if (count != threads && workers != null) {
            workers.shutdown();
            workers = null;
        }
        threads = count;
    }

    public static int threads() {
        return threads;
    }

    /** A piece of work: items [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * Runs body over items [0, n) in up to {@link #threads()} contiguous pieces, each at least minItems long and
     * starting at a multiple of grain; the caller runs the first piece and returns when all are done.
     */
    public static void forRange(int n, int grain, int minItems, Range body) {
        int grains = (n + grain - 1) / grain;
        int pieces = (int) Math.min(threads(), Math.max(1, (long) n / Math.max(minItems, 1)));
        pieces = Math.min(pieces, grains);
        if (pieces <= 1) {
            body.run(0, n);
            return;
        }
        Future<?>[] others = new Future<?>[pieces - 1];
        ExecutorService pool = pool();
        for (int p = 1; p < pieces; p++) {
            int from = bound(p, pieces, grains, grain, n);
            int to = bound(p + 1, pieces, grains, grain, n);
            others[p - 1] = pool.submit(() -> body.run(from, to));
        }
        Throwable failure = null;
        try {
            body.run(0, bound(1, pieces, grains, grain, n));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> other : others) { // every piece finishes before the caller reuses its buffers
            try {
                other.get();
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : e;
            }
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        } else if (failure instanceof Error e) {
            throw e;
        } else if (failure != null) {
            throw new IllegalStateException("kernel thread interrupted", failure);
        }
    }

    /** Where piece p starts: an even share of the grains, in items, capped at n. */
    private static int bound(int p, int pieces, int grains, int grain, int n) {
        return (int) Math.min(n, (long) grains * p / pieces * grain);
    }

    private static synchronized ExecutorService pool() {
        if (workers == null) {
            AtomicInteger count = new AtomicInteger();
            workers = Executors.newFixedThreadPool(threads - 1, task -> {
                Thread t = new Thread(task, "minibert-kernel-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return workers;
    }
}
