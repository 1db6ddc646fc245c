package dev.minibert.model;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Brings ND4J up for a command or a library call: thread count first, then the BLAS self-check before any numbers
 * are trusted. The CLI and the {@code dev.minibert.api} classes both go through here.
 */
public final class Nd4jSetup {
    private Nd4jSetup() {
    }

    /** The threads when none are asked for: every core this JVM may use. */
    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    public static void init(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        // OpenMP threads for ND4J's own ops and the Java kernels' threads, which also split the float products
        // (Gemm: each piece a single-threaded Sgemm call; ND4J's gemm, for doubles, gets OpenBLAS with one thread)
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(1);
        Parallel.setThreads(threads);
        BlasSelfCheck.verify();
    }
}
