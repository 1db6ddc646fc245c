package dev.minibert.cli;

import dev.minibert.model.bench.GemmBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks that print one JSON line last on stdout, with the PyTorch peer's field names. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks printing one JSON line (fields as shared/peers/bench_torch.py).",
        subcommands = {BenchCommand.Gemm.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a benchmark: " + spec.subcommands().keySet());
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = "ND4J float gemm GFLOP/s on square matrices: the ceiling the model is measured against.")
    static final class Gemm implements Callable<Integer> {
        @Option(names = "--sizes", split = ",", defaultValue = "1024,2048", description = "matrix sizes (default: ${DEFAULT-VALUE})")
        int[] sizes;

        @Option(names = "--steps", defaultValue = "10", description = "timed repetitions per size (default: ${DEFAULT-VALUE})")
        int steps;

        @Option(names = "--threads", defaultValue = "2", description = "BLAS/OpenMP threads (default: ${DEFAULT-VALUE})")
        int threads;

        @Override
        public Integer call() {
            Nd4jSetup.init(threads);
            System.out.println(GemmBench.run(sizes, steps));
            return 0;
        }
    }
}
