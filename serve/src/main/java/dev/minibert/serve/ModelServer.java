package dev.minibert.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.minibert.api.Prediction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * The HTTP side of {@code minibert serve}, on the JDK's own {@code com.sun.net.httpserver} (HTTP/1.1 with
 * keep-alive, our executor; JSON over HTTP needs no more). It listens at once and answers 503 until {@link #ready}
 * hands it the loaded model; {@link #stop} stops accepting, lets in-flight requests finish, then stops the batcher.
 */
public final class ModelServer {
    /** Handler threads: each holds at most one request body (--max-request-bytes) while its texts are queued. */
    private static final int HANDLER_THREADS = 32;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The exchange attribute holding when its handling began (System.nanoTime). */
    private static final String STARTED = "minibert.started";

    private final ServeOptions options;
    private final HttpServer http;
    private final ExecutorService handlers;
    private final ServeMetrics metrics = new ServeMetrics();
    private final JobRequest requests;
    private final byte[] openApi;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private volatile Batcher batcher;
    private volatile String task;

    private ModelServer(ServeOptions options, HttpServer http, ExecutorService handlers) throws IOException {
        this.options = options;
        this.http = http;
        this.handlers = handlers;
        this.requests = new JobRequest(options.maxTextChars());
        try (InputStream in = ModelServer.class.getResourceAsStream("openapi.json")) {
            this.openApi = in.readAllBytes();
        }
    }

    /**
     * TCP_NODELAY on the JDK server's sockets (read once, when its configuration class loads; a user's own setting
     * wins). Without it an answer written in two parts waits for the client's delayed ACK: every request from one
     * client took ~50 ms, whatever the model (docs/serve.md).
     */
    static final String NO_DELAY = "sun.net.httpserver.nodelay";

    /** Binds and starts answering (503 on every model endpoint and on /health until {@link #ready}). */
    public static ModelServer start(ServeOptions options) throws IOException {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 0);
        } catch (BindException e) {
            throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS, r -> {
            Thread t = new Thread(r, "minibert-http");
            t.setDaemon(true);
            return t;
        });
        ModelServer server = new ModelServer(options, http, handlers);
        http.setExecutor(handlers);
        http.createContext("/", server::handle);
        http.start();
        return server;
    }

    /** Loads the model that {@link #serveUntilSignalled} puts behind the server. */
    @FunctionalInterface
    public interface Loader {
        ServedModel load() throws IOException;
    }

    /**
     * A server process's life ({@code minibert serve}, the serve benchmark): listens at once, loads and warms up the
     * model, serves until SIGTERM or SIGINT, then stops accepting and drains for up to {@code drainSeconds} (the
     * JVM's default would exit 143 with the requests in flight cut off). Progress lines on stderr start with
     * {@code name}; the first names the port.
     */
    public static void serveUntilSignalled(ServeOptions options, Loader loader, String name, Object model,
                                           int drainSeconds) throws IOException, InterruptedException {
        ModelServer server = start(options);
        System.err.println(name + ": listening on http://" + options.host() + ":" + server.port() + " (loading "
                + model + ")");
        try {
            ServedModel served = loader.load();
            served.warmUp();
            server.ready(served);
            // while loading, a signal ends the JVM as usual: nothing is in flight yet
            CountDownLatch stop = new CountDownLatch(1);
            Signal.handle(new Signal("TERM"), s -> stop.countDown());
            Signal.handle(new Signal("INT"), s -> stop.countDown());
            System.err.println(name + ": ready: POST /v1/" + served.task());
            stop.await();
            System.err.println(name + ": stopping: finishing the requests in flight");
        } finally {
            server.stop(drainSeconds);
        }
    }

    /** The port it listens on (the one chosen when the options asked for 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** Starts serving the model: /health turns 200 and its endpoint answers. */
    public void ready(ServedModel model) {
        Batcher b = new Batcher(model, options, metrics);
        metrics.queueGauge(b::queued);
        batcher = b;
        task = model.task();
    }

    /**
     * Stops accepting connections, waits up to {@code graceSeconds} for requests in flight (their texts still go
     * through the model; a new request on a kept-alive connection gets 503), then stops the batcher.
     */
    public void stop(int graceSeconds) throws InterruptedException {
        draining = true;
        // HttpServer.stop closes the listener at once but then (JDK 17, JDK-8304065) sleeps out its whole delay
        // even when nothing is in flight; our own count decides when the drain is over, that thread just lingers
        Thread stopper = new Thread(() -> http.stop(graceSeconds), "minibert-http-stop");
        stopper.setDaemon(true);
        stopper.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Batcher b = batcher;
        if (b != null) {
            b.close();
        }
        handlers.shutdown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.setAttribute(STARTED, System.nanoTime());
        inFlight.incrementAndGet();
        String path = exchange.getRequestURI().getPath();
        try {
            if (draining) {
                exchange.getResponseHeaders().set("Connection", "close");
                throw new ApiError(503, "the server is shutting down");
            }
            route(exchange, path);
        } catch (ApiError e) {
            error(exchange, e);
        } catch (RuntimeException e) {
            error(exchange, new ApiError(500, "internal error: " + e));
        } finally {
            exchange.close();
            inFlight.decrementAndGet();
        }
    }

    private void route(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        switch (path) {
            case "/health" -> {
                allow(method, "GET");
                if (batcher == null) {
                    throw new ApiError(503, "loading the model");
                }
                send(exchange, 200, json(Map.of("status", "ready", "task", task)), "application/json");
            }
            case "/metrics" -> {
                allow(method, "GET");
                send(exchange, 200, metrics.render().getBytes(StandardCharsets.UTF_8),
                        "text/plain; version=0.0.4; charset=utf-8");
            }
            case "/openapi.json" -> {
                allow(method, "GET");
                send(exchange, 200, openApi, "application/json");
            }
            case "/v1/classify", "/v1/embed" -> {
                allow(method, "POST");
                byte[] body = body(exchange);
                Batcher b = servingBatcher(path);
                InferenceJob job = path.equals("/v1/classify") ? requests.classify(body) : requests.embed(body);
                b.submit(job);
                send(exchange, 200, json(answer(job, await(job))), "application/json");
            }
            default -> throw new ApiError(404, "no such endpoint: " + path
                    + " (POST /v1/classify, POST /v1/embed, GET /health, /metrics, /openapi.json)");
        }
    }

    private Batcher servingBatcher(String path) {
        Batcher b = batcher;
        if (b == null) {
            throw new ApiError(503, "loading the model");
        }
        if (!path.equals("/v1/" + task)) {
            throw new ApiError(404, path + ": this server's model answers /v1/" + task + " only"
                    + (task.equals("embed") ? " (no labels.json: not a classifier)" : " (a classifier)"));
        }
        return b;
    }

    private static void allow(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiError(405, method + " not allowed here: use " + expected);
        }
    }

    /** The body, refused (413) past the limit without reading more than the limit plus one byte. */
    private byte[] body(HttpExchange exchange) throws IOException {
        int limit = options.maxRequestBytes();
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > limit) {
            throw new ApiError(413, "request body of " + declared + " bytes, more than --max-request-bytes " + limit);
        }
        byte[] body = exchange.getRequestBody().readNBytes(limit + 1);
        if (body.length > limit) {
            throw new ApiError(413, "request body longer than --max-request-bytes " + limit);
        }
        return body;
    }

    private static List<Object> await(InferenceJob job) {
        try {
            return job.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the server is shutting down");
        } catch (ExecutionException e) {
            throw new ApiError(500, "inference failed: " + e.getCause());
        }
    }

    private static ObjectNode answer(InferenceJob job, List<Object> results) {
        ObjectNode out = JSON.createObjectNode();
        if (job.pooling() == null) {
            ArrayNode predictions = out.putArray("predictions");
            for (Object r : results) {
                Prediction p = (Prediction) r;
                ObjectNode row = predictions.addObject().put("label", p.label());
                ObjectNode probabilities = row.putObject("probabilities");
                p.probabilities().forEach(probabilities::put);
            }
        } else {
            out.put("pooling", job.pooling().name().toLowerCase(Locale.ROOT));
            ArrayNode embeddings = out.putArray("embeddings");
            for (Object r : results) {
                ArrayNode vector = embeddings.addArray();
                for (float v : (float[]) r) {
                    vector.add(v);
                }
            }
        }
        return out;
    }

    private void error(HttpExchange exchange, ApiError e) throws IOException {
        if (e.retryable()) {
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        send(exchange, e.status(), json(Map.of("error", e.getMessage())), "application/json");
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Counts the request in the metrics, then answers it: counted first, so that a client that scrapes /metrics
     * after its answer finds its request there.
     */
    private void send(HttpExchange exchange, int status, byte[] body, String type) throws IOException {
        long started = (Long) exchange.getAttribute(STARTED);
        metrics.request(ServeMetrics.endpoint(exchange.getRequestURI().getPath()), status,
                (System.nanoTime() - started) / 1e9);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
