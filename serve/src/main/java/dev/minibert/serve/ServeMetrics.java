package dev.minibert.serve;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/** What {@code GET /metrics} reports, in Prometheus' text exposition format (version 0.0.4). */
final class ServeMetrics {
    /** The endpoints counted by name; any other path is counted as "other" so that labels stay few. */
    static final List<String> ENDPOINTS = List.of("/v1/classify", "/v1/embed", "/health", "/metrics", "/openapi.json");

    private final ConcurrentMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Histogram batchSizes = new Histogram(1, 2, 4, 8, 16, 32, 64, 128, 256);
    private volatile IntSupplier queued = () -> 0;

    static String endpoint(String path) {
        return ENDPOINTS.contains(path) ? path : "other";
    }

    void queueGauge(IntSupplier texts) {
        queued = texts;
    }

    void request(String endpoint, int status, double seconds) {
        String labels = "endpoint=\"" + endpoint + "\"";
        requests.computeIfAbsent(labels + ",code=\"" + status + "\"", k -> new LongAdder()).increment();
        if (status >= 400) {
            errors.computeIfAbsent(labels, k -> new LongAdder()).increment();
        }
        latency.computeIfAbsent(endpoint, k -> new Histogram(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                0.5, 1, 2.5, 5, 10)).observe(seconds);
    }

    void batch(int texts) {
        batchSizes.observe(texts);
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP minibert_requests_total HTTP requests answered, by endpoint and status code.\n")
                .append("# TYPE minibert_requests_total counter\n");
        counters(out, "minibert_requests_total", requests);
        out.append("# HELP minibert_request_errors_total Requests answered with a 4xx or 5xx status.\n")
                .append("# TYPE minibert_request_errors_total counter\n");
        counters(out, "minibert_request_errors_total", errors);
        out.append("# HELP minibert_request_duration_seconds Time from reading a request to its answer.\n")
                .append("# TYPE minibert_request_duration_seconds histogram\n");
        new TreeMap<>(latency).forEach((endpoint, h) ->
                h.write(out, "minibert_request_duration_seconds", "endpoint=\"" + endpoint + "\""));
        out.append("# HELP minibert_batch_size Texts per forward pass.\n")
                .append("# TYPE minibert_batch_size histogram\n");
        batchSizes.write(out, "minibert_batch_size", "");
        out.append("# HELP minibert_queued_texts Texts accepted and not yet answered.\n")
                .append("# TYPE minibert_queued_texts gauge\n")
                .append("minibert_queued_texts ").append(queued.getAsInt()).append('\n');
        return out.toString();
    }

    /** One series per label set; keys are label sets as written between the braces. */
    private static void counters(StringBuilder out, String name, Map<String, LongAdder> byLabels) {
        new TreeMap<>(byLabels).forEach((labels, n) ->
                out.append(name).append('{').append(labels).append("} ").append(n.sum()).append('\n'));
    }
}
