package dev.minibert.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minibert.api.Classifier;
import dev.minibert.api.Encoder;
import dev.minibert.api.Pooling;
import dev.minibert.api.Prediction;
import dev.minibert.api.TinyModels;
import dev.minibert.model.Gemm;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real server on a free loopback port, real models, concurrent JDK HttpClients. */
class ModelServerTest {
    private static final int CLIENTS = 16;

    @TempDir Path dir;
    private ModelServer server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.stop(5);
        }
    }

    private LoopbackClient serve(ServedModel model, ServeOptions options) throws IOException {
        server = ModelServer.start(options);
        if (model != null) {
            server.ready(model);
        }
        return new LoopbackClient(server.port());
    }

    private static ServeOptions options(int maxBatchSize, int maxQueue) {
        return new ServeOptions("127.0.0.1", 0, maxBatchSize, 20, maxQueue, 4096, 200);
    }

    /** Request i of client c: a rotation of the test texts, 1 to 5 of them, so requests overlap and differ. */
    private static List<String> texts(int c, int i) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k <= (c + i) % TinyModels.TEXTS.size(); k++) {
            out.add(TinyModels.TEXTS.get((c + i + k) % TinyModels.TEXTS.size()));
        }
        return out;
    }

    private static <T> List<T> concurrently(int clients, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(task));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentClientsGetTheClassifiersOwnAnswers() throws Exception {
        TinyModels.classifier(dir);
        Classifier direct = Classifier.load(dir, 1, 7);
        LoopbackClient http = serve(ServedModel.load(dir, 1, 8), options(8, 1024));
        AtomicInteger ids = new AtomicInteger();
        List<Integer> requests = concurrently(CLIENTS, () -> {
            int c = ids.getAndIncrement();
            for (int i = 0; i < 4; i++) {
                List<String> texts = texts(c, i);
                List<String> pairs = i % 2 == 0 ? null : texts.stream().map(t -> "the dog").toList();
                Map<String, Object> body = pairs == null ? Map.of("texts", texts) : Map.of("texts", texts, "text_pairs", pairs);
                HttpResponse<String> r = http.post("/v1/classify", LoopbackClient.JSON.writeValueAsString(body));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode predictions = LoopbackClient.json(r).get("predictions");
                List<Prediction> expected;
                synchronized (direct) {
                    expected = direct.classify(texts, pairs, Classifier.DEFAULT_MAX_SEQ_LEN);
                }
                assertThat(predictions.size()).isEqualTo(texts.size());
                for (int k = 0; k < texts.size(); k++) {
                    JsonNode p = predictions.get(k);
                    assertThat(p.get("label").asText()).isEqualTo(expected.get(k).label());
                    for (Map.Entry<String, Double> e : expected.get(k).probabilities().entrySet()) {
                        double served = p.get("probabilities").get(e.getKey()).decimalValue().doubleValue();
                        if (Gemm.isBatchInvariant()) { // see batchedConcurrentClientsGetTheEncodersVectorsBitForBit
                            assertThat(served).as("%s of %s", e.getKey(), texts.get(k)).isEqualTo(e.getValue());
                        } else {
                            assertThat(served).as("%s of %s", e.getKey(), texts.get(k))
                                    .isCloseTo(e.getValue(), within(1e-6));
                        }
                    }
                }
            }
            return 4;
        });
        assertThat(requests).hasSize(CLIENTS);
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("minibert_requests_total{endpoint=\"/v1/classify\",code=\"200\"} " + 4 * CLIENTS);
        // texts of different requests shared forward passes: fewer passes than requests
        assertThat(counter(metrics, "minibert_batch_size_count")).isLessThan(4 * CLIENTS);
    }

    @Test
    void unbatchedConcurrentClientsGetTheEncodersVectorsBitForBit() throws Exception {
        TinyModels.encoder(dir);
        Encoder direct = Encoder.load(dir, 1, 1);
        embedConcurrently(1, direct, (served, expected) -> assertThat(served).containsExactly(expected));
    }

    /**
     * A text's vector does not depend on the texts that share its forward pass nor on their padding (inference's
     * products and softmax are batch-invariant, {@code BatchInvarianceTest}), so batched answers are the encoder's
     * bit for bit. Where that is not established (OpenBLAS, ISAs other than AVX-512 and AVX2) they match within
     * float rounding: the tiny model's largest difference measured there was 2.4e-7.
     */
    @Test
    void batchedConcurrentClientsGetTheEncodersVectorsBitForBit() throws Exception {
        TinyModels.encoder(dir);
        Encoder direct = Encoder.load(dir, 1, 1);
        embedConcurrently(8, direct, (served, expected) -> {
            if (Gemm.isBatchInvariant()) {
                assertThat(served).containsExactly(expected);
            } else {
                assertThat(served).containsExactly(expected, within(1e-5f));
            }
        });
    }

    /** 16 clients, 4 requests each, against texts embedded one by one with the encoder itself. */
    private void embedConcurrently(int maxBatchSize, Encoder direct, BiConsumer<float[], float[]> check)
            throws Exception {
        LoopbackClient http = serve(ServedModel.load(dir, 1, maxBatchSize), options(maxBatchSize, 1024));
        AtomicInteger ids = new AtomicInteger();
        concurrently(CLIENTS, () -> {
            int c = ids.getAndIncrement();
            for (int i = 0; i < 4; i++) {
                List<String> texts = texts(c, i);
                Pooling pooling = i % 2 == 0 ? Pooling.CLS : Pooling.MEAN;
                HttpResponse<String> r = http.post("/v1/embed", LoopbackClient.JSON.writeValueAsString(
                        Map.of("texts", texts, "pooling", pooling.name().toLowerCase(Locale.ROOT))));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode vectors = LoopbackClient.json(r).get("embeddings");
                assertThat(vectors.size()).isEqualTo(texts.size());
                for (int k = 0; k < texts.size(); k++) {
                    float[] expected;
                    synchronized (direct) {
                        expected = direct.embed(List.of(texts.get(k)), pooling)[0];
                    }
                    check.accept(LoopbackClient.floats(vectors.get(k)), expected);
                }
            }
            return null;
        });
        String metrics = http.get("/metrics").body();
        double singles = counter(metrics, "minibert_batch_size_bucket{le=\"1\"}");
        double passes = counter(metrics, "minibert_batch_size_count");
        if (maxBatchSize == 1) {
            assertThat(singles).as("every pass one text").isEqualTo(passes);
        } else {
            assertThat(singles).as("some passes batched several texts").isLessThan(passes);
        }
    }

    @Test
    void healthIs503UntilTheModelIsLoaded() throws Exception {
        TinyModels.encoder(dir);
        LoopbackClient http = serve(null, options(8, 16));
        HttpResponse<String> loading = http.get("/health");
        assertThat(loading.statusCode()).isEqualTo(503);
        assertThat(loading.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(http.post("/v1/embed", "{\"texts\":[\"cat\"]}").statusCode()).isEqualTo(503);

        server.ready(ServedModel.load(dir, 1, 8));
        HttpResponse<String> ready = http.get("/health");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(LoopbackClient.json(ready).get("task").asText()).isEqualTo("embed");
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndTheServerStaysUp() throws Exception {
        TinyModels.encoder(dir);
        ServedModel slow = slow(ServedModel.load(dir, 1, 1), 150);
        LoopbackClient http = serve(slow, options(1, 2));
        List<HttpResponse<String>> answers = concurrently(CLIENTS, () -> http.post("/v1/embed", "{\"texts\":[\"the cat\"]}"));

        List<HttpResponse<String>> refused = answers.stream().filter(r -> r.statusCode() == 503).toList();
        assertThat(refused).as("16 clients, room for 2 texts, 150 ms per pass").isNotEmpty();
        assertThat(answers).allMatch(r -> r.statusCode() == 200 || r.statusCode() == 503);
        for (HttpResponse<String> r : refused) {
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(LoopbackClient.json(r).get("error").asText()).contains("queue full", "--max-queue 2");
        }
        assertThat(answers.size() - refused.size()).isGreaterThanOrEqualTo(2);
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
        assertThat(http.post("/v1/embed", "{\"texts\":[\"the dog\"]}").statusCode()).isEqualTo(200);
        assertThat(http.post("/v1/embed", "{\"texts\":[\"a\",\"b\",\"c\"]}").statusCode())
                .as("more texts than the whole queue can ever hold").isEqualTo(413);
    }

    @Test
    void aFailingForwardPassIs500ForItsRequestsOnlyAndFreesTheirQueueRoom() throws Exception {
        TinyModels.encoder(dir);
        ServedModel real = ServedModel.load(dir, 1, 8);
        LoopbackClient http = serve(new ServedModel("embed", (texts, pairs, poolings) -> {
            if (texts.contains("zebra")) {
                throw new IllegalStateException("native buffer gone");
            }
            return real.forward().apply(texts, pairs, poolings);
        }), new ServeOptions("127.0.0.1", 0, 8, 0, 2, 4096, 200));
        for (int i = 0; i < 3; i++) { // more failures than the queue has room: each one gives its room back
            HttpResponse<String> failed = http.post("/v1/embed", "{\"texts\": [\"zebra\", \"cat\"]}");
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(LoopbackClient.json(failed).get("error").asText()).contains("native buffer gone");
        }
        assertThat(http.post("/v1/embed", "{\"texts\": [\"the cat\", \"dog\"]}").statusCode()).isEqualTo(200);
    }

    /** The JDK server reads the setting once; the benchmark in docs/serve.md shows what it changes. */
    @Test
    void theServerSendsWithoutNaglesDelay() throws Exception {
        serve(null, options(8, 64));
        assertThat(System.getProperty(ModelServer.NO_DELAY)).isEqualTo("true");
    }

    @Test
    void aJobSplitOverPassesGivesBackAllItsRoomWhenOnePassFails() throws Exception {
        TinyModels.encoder(dir);
        ServedModel slow = slow(ServedModel.load(dir, 1, 8), 300); // a "cat" still to run would outlive the 500
        LoopbackClient http = serve(new ServedModel("embed", (texts, pairs, poolings) -> {
            if (texts.contains("zebra")) {
                throw new IllegalStateException("native buffer gone");
            }
            return slow.forward().apply(texts, pairs, poolings);
        }), new ServeOptions("127.0.0.1", 0, 1, 0, 2, 4096, 200)); // one text per pass: the job is split
        HttpResponse<String> failed = http.post("/v1/embed", "{\"texts\": [\"zebra\", \"cat\"]}");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(http.post("/v1/embed", "{\"texts\": [\"the cat\", \"dog\"]}").statusCode())
                .as("the whole queue is free once the failed job is answered").isEqualTo(200);
    }

    @Test
    void badRequestsGetJsonErrorsNamingTheProblem() throws Exception {
        TinyModels.encoder(dir);
        LoopbackClient http = serve(ServedModel.load(dir, 1, 8), options(8, 64));
        String longText = "cat ".repeat(60);
        Object[][] cases = {
                {"/v1/embed", "{\"texts\": [\"cat\"", 400, "malformed JSON"},
                {"/v1/embed", "{\"texts\": [\"cat\"]} {}", 400, "malformed JSON"},
                {"/v1/embed", "{\"pooling\": \"cls\"}", 400, "missing field \"texts\""},
                {"/v1/embed", "{\"texts\": \"cat\"}", 400, "\"texts\" must be a non-empty array of strings"},
                {"/v1/embed", "{\"texts\": []}", 400, "\"texts\" must be a non-empty array of strings"},
                {"/v1/embed", "{\"texts\": [\"cat\", 7]}", 400, "texts[1] is not a string"},
                {"/v1/embed", "{\"texts\": [\"cat\"], \"poolng\": \"cls\"}", 400, "unknown field \"poolng\""},
                {"/v1/embed", "{\"texts\": [\"cat\"], \"pooling\": \"max\"}", 400, "pooling must be"},
                {"/v1/embed", "{\"texts\": [\"cat\", \"" + longText + "\"]}", 400, "texts[1] has 240 characters, more than --max-text-chars 200"},
                {"/v1/embed", "{\"texts\": [\"" + "x".repeat(4200) + "\"]}", 413, "--max-request-bytes 4096"},
                {"/v1/classify", "{\"texts\": [\"cat\"]}", 404, "answers /v1/embed only"},
                {"/v2/embed", "{}", 404, "no such endpoint: /v2/embed"},
        };
        for (Object[] c : cases) {
            HttpResponse<String> r = http.post((String) c[0], (String) c[1]);
            assertThat(r.statusCode()).as(c[1] + " -> " + r.body()).isEqualTo(c[2]);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(LoopbackClient.json(r).get("error").asText()).as((String) c[1]).contains((String) c[3]);
        }
        HttpResponse<String> get = http.get("/v1/embed");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(LoopbackClient.json(get).get("error").asText()).contains("use POST");
        assertThat(http.post("/v1/embed", "{\"texts\": [\"cat\"]}").statusCode()).as("still serving").isEqualTo(200);
        assertThat(counter(http.get("/metrics").body(), "minibert_request_errors_total{endpoint=\"/v1/embed\"}"))
                .isEqualTo(10 + 1);
    }

    @Test
    void metricsAreValidPrometheusTextAndOpenApiDescribesEveryEndpoint() throws Exception {
        TinyModels.encoder(dir);
        LoopbackClient http = serve(ServedModel.load(dir, 1, 8), options(8, 64));
        http.post("/v1/embed", "{\"texts\": [\"the cat\", \"dog\", \"fast\"]}");
        http.post("/v1/embed", "{\"texts\": 3}");
        HttpResponse<String> r = http.get("/metrics");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        String sample = "[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? -?[0-9.E+-]+|-?Infinity";
        for (String line : r.body().split("\n")) {
            assertThat(line).matches("# (HELP|TYPE) [a-z_]+ .+|" + sample);
        }
        assertThat(r.body()).contains("minibert_requests_total{endpoint=\"/v1/embed\",code=\"200\"} 1",
                "minibert_requests_total{endpoint=\"/v1/embed\",code=\"400\"} 1",
                "minibert_batch_size_bucket{le=\"4\"} 1", "minibert_batch_size_sum 3.0",
                "minibert_request_duration_seconds_count{endpoint=\"/v1/embed\"} 2", "minibert_queued_texts 0");

        JsonNode openApi = LoopbackClient.json(http.get("/openapi.json"));
        List<String> paths = new ArrayList<>();
        openApi.get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).containsExactlyInAnyOrderElementsOf(ServeMetrics.ENDPOINTS);
        for (String path : paths) {
            boolean post = openApi.get("paths").get(path).has("post");
            HttpResponse<String> answer = post ? http.post(path, "{\"texts\": [\"cat\"]}") : http.get(path);
            assertThat(answer.statusCode()).as(path).isIn(200, 404);
            assertThat(answer.body()).as(path).doesNotContain("no such endpoint");
        }
    }

    private static double counter(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError(series + " not in\n" + metrics);
    }

    /** The real model, each forward pass held back: the queue fills while a pass runs. */
    private static ServedModel slow(ServedModel model, long millis) {
        return new ServedModel(model.task(), (texts, pairs, poolings) -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return model.forward().apply(texts, pairs, poolings);
        });
    }
}
