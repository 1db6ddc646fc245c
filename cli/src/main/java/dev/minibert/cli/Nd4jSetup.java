package dev.minibert.cli;

import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.Parallel;
import org.nd4j.linalg.factory.Nd4j;

/** Brings ND4J up for a command: thread count first, then the BLAS self-check before any numbers are trusted. */
final class Nd4jSetup {
    static final int DEFAULT_THREADS = 2;

    private Nd4jSetup() {
    }

    static void init(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        // OpenMP threads for ND4J's own ops and the Java kernels' threads, which also split the float products
        // (Gemm: each piece a single-threaded OpenBLAS call; ND4J's gemm, for doubles, gets the same one thread)
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(1);
        Parallel.setThreads(threads);
        BlasSelfCheck.verify();
    }
}
