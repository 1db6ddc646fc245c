package dev.minibert.cli;

import dev.minibert.model.Nd4jSetup;
import picocli.CommandLine.Option;

/** {@code --threads}, one declaration for every command that computes: every core unless told. */
final class ThreadsOption {
    // no defaultValue: the help text must not depend on the machine that generated docs/cli.md
    @Option(names = "--threads", description = "threads for the kernels and matrix products (default: every core)")
    Integer threads;

    int count() {
        return threads != null ? threads : Nd4jSetup.cores();
    }
}
