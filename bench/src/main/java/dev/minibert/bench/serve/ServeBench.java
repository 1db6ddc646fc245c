package dev.minibert.bench.serve;

import dev.minibert.model.Nd4jSetup;
import dev.minibert.serve.ModelServer;
import dev.minibert.serve.ServeOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server scripts/bench-serve.sh drives with wrk: {@code minibert serve} on loopback with either engine, until
 * SIGTERM. Its options and defaults are {@code minibert serve}'s; only the forward pass differs between engines.
 */
@Command(name = "serve-bench", mixinStandardHelpOptions = true,
        description = "Serve a model directory on loopback, as minibert serve does, with minibert's forward pass or "
                + "ONNX Runtime running its exported graph, until SIGTERM.")
public final class ServeBench implements Callable<Integer> {
    @Option(names = "--engine", required = true, description = "minibert | ort") Engine engine;
    @Option(names = "--model", required = true, description = "classifier or encoder directory") Path model;
    @Option(names = "--onnx", description = "the graph minibert export wrote for --model (--engine ort)") Path onnx;
    @Option(names = "--port", defaultValue = "0", description = "TCP port on 127.0.0.1 (0: any free one)") int port;
    @Option(names = "--threads", description = "threads for minibert's kernels or ORT's intra-op pool "
            + "(default: every core)") Integer threads;
    @Option(names = "--max-batch-size", defaultValue = "32", description = "texts per forward pass") int maxBatchSize;
    @Option(names = "--max-wait-ms", defaultValue = "5",
            description = "how long a batch's first text waits for others") int maxWaitMs;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        int n = threads == null ? Nd4jSetup.cores() : threads;
        // minibert serve's limits: wrk's requests are small and never fill its queue
        ServeOptions options = new ServeOptions("127.0.0.1", port, maxBatchSize, maxWaitMs, 1024, 1 << 20, 10_000);
        ModelServer.serveUntilSignalled(options, () -> engine.load(model, onnx, n, maxBatchSize),
                "serve-bench " + engine, model, 30);
        return 0;
    }
}
