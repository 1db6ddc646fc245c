package dev.minibert.api;

import dev.minibert.model.Nd4jSetup;

/** The library's thread default and the one place its entry points bring ND4J up. */
final class Threads {
    private Threads() {
    }

    /** Every core: a library caller has not told us otherwise, and the CLI's own default suits only CI machines. */
    static int available() {
        return Runtime.getRuntime().availableProcessors();
    }

    static void init(int threads) {
        Nd4jSetup.init(threads);
    }
}
