package dev.minibert.serve;

/**
 * How the server listens and what it accepts.
 *
 * @param host address to bind (loopback unless told: the server has no authentication)
 * @param port TCP port, 0 for any free one
 * @param maxBatchSize texts gathered into one forward pass
 * @param maxWaitMs how long the first text of a batch waits for others
 * @param maxQueue texts accepted but not yet answered; more get 503 and Retry-After
 * @param maxRequestBytes largest request body; more get 413
 * @param maxTextChars longest text or text pair member; more get 400
 */
public record ServeOptions(String host, int port, int maxBatchSize, int maxWaitMs, int maxQueue, int maxRequestBytes,
                           int maxTextChars) {
    public ServeOptions {
        positive("--max-batch-size", maxBatchSize);
        positive("--max-queue", maxQueue);
        positive("--max-request-bytes", maxRequestBytes);
        positive("--max-text-chars", maxTextChars);
        if (maxWaitMs < 0) {
            throw new IllegalArgumentException("--max-wait-ms must be at least 0, got " + maxWaitMs);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        }
    }

    private static void positive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + value);
        }
    }
}
