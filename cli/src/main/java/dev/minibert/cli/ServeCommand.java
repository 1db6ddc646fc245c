package dev.minibert.cli;

import dev.minibert.serve.ModelServer;
import dev.minibert.serve.ServeOptions;
import dev.minibert.serve.ServedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code minibert serve}: a classifier or an encoder directory over HTTP until SIGTERM or SIGINT, which stop
 * accepting, finish the requests in flight and exit 0 (the JVM's default would exit 143 with them cut off).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a classifier (POST /v1/classify) or an encoder (POST /v1/embed) over HTTP/JSON, with "
                + "dynamic batching, GET /health, /metrics and /openapi.json.")
final class ServeCommand implements Callable<Integer> {
    /** How long a shutdown waits for requests in flight. */
    private static final int DRAIN_SECONDS = 30;

    @Option(names = "--model", required = true,
            description = "classifier directory (with labels.json) or any other model directory (embeddings)")
    Path model;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (no authentication: "
            + "keep it on loopback unless something in front of it checks clients)")
    String host;
    @Option(names = "--port", defaultValue = "8080", description = "TCP port (0: any free port, printed at start)")
    int port;
    @Option(names = "--max-batch-size", defaultValue = "32", description = "texts per forward pass") int maxBatchSize;
    @Option(names = "--max-wait-ms", defaultValue = "5",
            description = "how long a batch's first text waits for others") int maxWaitMs;
    @Option(names = "--max-queue", defaultValue = "1024",
            description = "texts waiting or in a forward pass; past it requests get 503 and Retry-After") int maxQueue;
    @Option(names = "--max-request-bytes", defaultValue = "1048576",
            description = "largest request body (413 past it)") int maxRequestBytes;
    @Option(names = "--max-text-chars", defaultValue = "10000",
            description = "longest text, in characters (400 past it)") int maxTextChars;
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ServeOptions options;
        try {
            options = new ServeOptions(host, port, maxBatchSize, maxWaitMs, maxQueue, maxRequestBytes, maxTextChars);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ModelServer.serveUntilSignalled(options, () -> ServedModel.load(model, threads.count(), maxBatchSize),
                "minibert serve", model, DRAIN_SECONDS);
        return 0;
    }
}
