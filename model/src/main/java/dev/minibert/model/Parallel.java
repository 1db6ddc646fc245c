package dev.minibert.model;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * Spreads the Java kernels (GELU, softmax, LayerNorm, dropout, AdamW, ...) and the float gemms over the cores that
 * {@code --threads} grants, so that BLAS's own threads do not sit idle between products (docs/kernels.md).
 * <p>
 * A kernel's split never changes its result. Each piece is computed by the same code as it would be alone, piece
 * boundaries are multiples of the caller's grain (so vector loops and their scalar tails see the same elements at
 * any thread count), and reductions across pieces go through fixed blocks added in order (see
 * {@code FastLayerNorm}). Same seed, same kernel bits, with 1 thread or 16; {@link Gemm}'s products are
 * bit-identical at one thread count only, so a whole training run is too (inference's, batch-invariant, at any).
 * <p>
 * The hand-off: each extra thread is a {@link Worker} that, after a piece, spins for {@link #SPIN_NANOS} waiting for
 * the next before it parks, and the caller posts a piece into a worker's own slot (no queue, no future, no
 * allocation). A worker found spinning starts a piece as soon as it sees the slot, where unparking one costs 10-50 µs;
 * a piece that a worker has not started by the time the caller's own piece is done is taken back and run by the
 * caller, with the same bounds. A piece that finds no free worker (another caller holds it) runs on the caller too:
 * the pieces, and so the bits, are those of the split whichever thread runs them. Inference ({@link Gemm}'s
 * batch-invariant scope, {@code BertModel.noGrad()}) splits work of {@link #INFERENCE_MIN_ELEMENTS_PER_THREAD}
 * per thread (see {@link #minElementsPerThread()}); training keeps {@link #MIN_ELEMENTS_PER_THREAD}.
 * <p>
 * Spinning pays only while a worker has a core of its own. A {@code Gate} watches the hand-offs: when workers miss
 * their pieces (taken back, or finished long after the caller's), the machine is busier than its cores, and for a
 * while (20 ms, doubling up to 160 ms while it lasts) nobody spins and inference splits no finer than training.
 */
public final class Parallel {
    /** Work below this many elements per extra thread runs on the caller alone (training, and outside inference). */
    public static final int MIN_ELEMENTS_PER_THREAD = 1 << 15;
    /** The same inside inference's scope, where a hand-off to a spinning worker is cheap (see {@link Worker}). */
    public static final int INFERENCE_MIN_ELEMENTS_PER_THREAD = 1 << 13;
    /** How long an idle worker spins for its next piece before it parks (and gives its core back). */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** How long a caller spins for a worker's piece to finish before it parks until the worker wakes it. */
    private static final long WAIT_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    private static volatile Worker[] workers;

    private Parallel() {
    }

    /** Kernel threads from now on, the caller's included (the CLI passes --threads). */
    public static synchronized void setThreads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + count);
        }
        if (count != threads && workers != null) {
            for (Worker worker : workers) {
                worker.retire();
            }
            workers = null;
        }
        threads = count;
    }

    public static int threads() {
        return threads;
    }

    /**
     * The elements per extra thread that make a kernel's piece worth a hand-off on this thread now:
     * {@link #INFERENCE_MIN_ELEMENTS_PER_THREAD} inside {@link Gemm}'s batch-invariant scope (inference),
     * {@link #MIN_ELEMENTS_PER_THREAD} elsewhere, so training splits as it always has.
     */
    public static int minElementsPerThread() {
        return Gemm.inInvariantScope() && fineSplitsPay() ? INFERENCE_MIN_ELEMENTS_PER_THREAD
                : MIN_ELEMENTS_PER_THREAD;
    }

    /**
     * Whether inference's small pieces are worth handing off now: false for a while after the workers have failed to
     * take their pieces in time (they had no core: a machine busier than its cores), when a hand-off only steals
     * the caller's share of the CPU. Which split runs never changes a bit (inference's products and the kernels).
     */
    static boolean fineSplitsPay() {
        return Gate.open();
    }

    /** Opens the gate of {@link #fineSplitsPay()} as at start (tests: it may have closed on a busy machine). */
    static void reopenFineSplits() {
        Gate.reset();
    }

    /**
     * The hand-offs, judged. A piece the caller had to take back (its worker had not started it by the time
     * the caller's own piece was done) counts against, one taken in time for, one the caller then waited on long
     * (its worker lost its core mid-piece) four times as much against; sixteen pieces taken back in a row close the
     * gate. Closed, fine splits wait {@link #closedNanos} before they are tried again, twice as long after each close
     * that follows a short open spell (20 ms up to {@link #MAX_CLOSED_NANOS}), so that a machine busier than its
     * cores costs a probe every 160 ms, and another process's burst on the second core only a short pause;
     * meanwhile workers and callers park at once instead of spinning. Reopened by the next look at the gate after
     * the closed time (inference's thresholds look at it on every product and kernel).
     * Updated racily: a heuristic, and which split runs never changes a bit.
     */
    private static final class Gate {
        static final long LATE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
        private static final long MIN_CLOSED_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
        private static final long MAX_CLOSED_NANOS = TimeUnit.MILLISECONDS.toNanos(160);
        private static final int MISS = 4;
        private static final int LATE = 16;
        private static final int LIMIT = 64;
        /** Pieces taken in time after which an open gate counts as a long open spell: the back-off restarts. */
        private static final int STEADY = 256;
        private static volatile long closedUntil;
        private static long closedNanos = MIN_CLOSED_NANOS;
        private static int debt;
        private static int onTimeSinceOpen;

        /** Whether threads spin for pieces now: not while the gate is closed (it would steal the caller's core). */
        static boolean spins() {
            return closedUntil == 0;
        }

        static boolean open() {
            long until = closedUntil;
            if (until == 0) {
                return true;
            }
            if (System.nanoTime() - until < 0) {
                return false;
            }
            closedUntil = 0;
            return true;
        }

        static void record(boolean taken, boolean late) {
            if (late) {
                if ((debt += LATE) >= LIMIT) {
                    close();
                }
            } else if (taken) {
                if (++onTimeSinceOpen == STEADY) {
                    closedNanos = MIN_CLOSED_NANOS;
                }
                debt = Math.max(0, debt - 1);
            } else if ((debt += MISS) >= LIMIT) {
                close();
            }
        }

        /** Opens the gate as at start (tests). */
        static void reset() {
            closedNanos = MIN_CLOSED_NANOS;
            debt = 0;
            onTimeSinceOpen = 0;
            closedUntil = 0;
        }

        private static void close() {
            long period = closedNanos;
            closedNanos = onTimeSinceOpen >= STEADY ? MIN_CLOSED_NANOS : Math.min(2 * period, MAX_CLOSED_NANOS);
            debt = 0;
            onTimeSinceOpen = 0;
            closedUntil = System.nanoTime() + period | 1; // never 0
        }
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
        Worker[] pool = pool();
        Gate.open(); // reopens it once its closed time is past
        Worker[] posted = new Worker[pieces - 1]; // null: the caller runs piece p + 1 itself
        int free = 0;
        for (int p = 1; p < pieces; p++) {
            Worker worker = null;
            while (free < pool.length && worker == null) {
                worker = pool[free++].claim();
            }
            if (worker != null) {
                worker.post(body, bound(p, pieces, grains, grain, n), bound(p + 1, pieces, grains, grain, n));
                posted[p - 1] = worker;
            }
        }
        long started = System.nanoTime();
        Throwable failure = null;
        try {
            body.run(0, bound(1, pieces, grains, grain, n));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        long own = System.nanoTime() - started;
        // every piece finishes before the caller reuses its buffers
        for (int p = 1; p < pieces; p++) {
            Worker worker = posted[p - 1];
            Throwable pieceFailure;
            if (worker == null || worker.takeBack()) { // not started (or no worker): the same piece, here
                if (worker != null) {
                    Gate.record(false, false);
                }
                try {
                    body.run(bound(p, pieces, grains, grain, n), bound(p + 1, pieces, grains, grain, n));
                    pieceFailure = null;
                } catch (RuntimeException | Error e) {
                    pieceFailure = e;
                }
            } else {
                long waitFrom = System.nanoTime();
                pieceFailure = worker.awaitAndRelease();
                // a wait much longer than the caller's own piece (pieces are even shares): the worker lost its core
                Gate.record(true, System.nanoTime() - waitFrom > own / 4 + Gate.LATE_NANOS);
            }
            failure = failure != null ? failure : pieceFailure;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        } else if (failure instanceof Error e) {
            throw e;
        } else if (failure != null) {
            throw new IllegalStateException("kernel thread failed", failure);
        }
    }

    /** Where piece p starts: an even share of the grains, in items, capped at n. */
    private static int bound(int p, int pieces, int grains, int grain, int n) {
        return (int) Math.min(n, (long) grains * p / pieces * grain);
    }

    private static Worker[] pool() {
        Worker[] current = workers;
        return current != null ? current : startWorkers();
    }

    private static synchronized Worker[] startWorkers() {
        if (workers == null) {
            Worker[] started = new Worker[threads - 1];
            for (int i = 0; i < started.length; i++) {
                started[i] = new Worker("minibert-kernel-" + (i + 1));
                started[i].start();
            }
            workers = started;
        }
        return workers;
    }

    /** The workers now running (tests: whether they park when idle). */
    static Thread[] workerThreads() {
        Worker[] current = workers;
        return current == null ? new Thread[0] : current.clone();
    }

    /**
     * A kernel thread with a one-piece slot. Its state moves IDLE → CLAIMED (a caller's, by CAS) → POSTED (the
     * piece is in the slot) → RUNNING (the worker's, by CAS) or back to CLAIMED (the caller took it back, by CAS)
     * → DONE → IDLE (the caller, having read the result); a retired worker goes IDLE → STOPPED and ends.
     */
    static final class Worker extends Thread {
        private static final int IDLE = 0;
        private static final int CLAIMED = 1;
        private static final int POSTED = 2;
        private static final int RUNNING = 3;
        private static final int DONE = 4;
        private static final int STOPPED = 5;
        private static final AtomicIntegerFieldUpdater<Worker> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Worker.class, "state");

        private volatile int state = IDLE;
        /** Set before the worker parks: the one who posts must then unpark it. */
        private volatile boolean parked;
        /** The caller parked on this piece's end, if any. */
        private volatile Thread waiter;
        private volatile boolean retired;
        // the slot: written before the volatile write of POSTED, read after reading it
        private Range body;
        private int from;
        private int to;
        private Throwable failure;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        /** This worker, now the caller's, or null if another caller holds it or it has ended. */
        Worker claim() {
            return STATE.compareAndSet(this, IDLE, CLAIMED) ? this : null;
        }

        void post(Range piece, int pieceFrom, int pieceTo) {
            body = piece;
            from = pieceFrom;
            to = pieceTo;
            failure = null;
            state = POSTED;
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        /** Whether the caller got the posted piece back before the worker started it (and so must run it). */
        boolean takeBack() {
            if (STATE.compareAndSet(this, POSTED, CLAIMED)) {
                body = null;
                state = IDLE;
                return true;
            }
            return false;
        }

        /** Waits for the running piece, frees the worker and returns the piece's failure, if any. */
        Throwable awaitAndRelease() {
            long start = System.nanoTime();
            int spins = 0;
            while (state != DONE) {
                if (spinsOn(++spins, start, WAIT_SPIN_NANOS)) {
                    Thread.onSpinWait();
                    continue;
                }
                waiter = Thread.currentThread();
                if (state != DONE) {
                    LockSupport.park(this);
                }
                waiter = null;
            }
            Throwable result = failure;
            failure = null;
            body = null;
            state = IDLE;
            return result;
        }

        /**
         * Whether a spinning thread spins once more: while the gate lets threads spin and, looking at the clock every
         * 64th spin only, less than limit has passed since it began.
         */
        private static boolean spinsOn(int spins, long since, long limit) {
            return Gate.spins() && ((spins & 63) != 0 || System.nanoTime() - since < limit);
        }

        void retire() {
            retired = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            int spins = 0;
            while (true) {
                int s = state;
                if (s == POSTED && STATE.compareAndSet(this, POSTED, RUNNING)) {
                    try {
                        body.run(from, to);
                    } catch (Throwable e) {
                        failure = e;
                    }
                    state = DONE;
                    Thread parkedCaller = waiter;
                    if (parkedCaller != null) {
                        LockSupport.unpark(parkedCaller);
                    }
                    idleSince = System.nanoTime();
                    spins = 0;
                    continue;
                }
                if (s == IDLE && retired && STATE.compareAndSet(this, IDLE, STOPPED)) {
                    return;
                }
                if (spinsOn(++spins, idleSince, SPIN_NANOS)) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (state != POSTED && !retired) {
                    LockSupport.park(this);
                }
                parked = false;
                idleSince = System.nanoTime();
                spins = 0;
            }
        }
    }
}
