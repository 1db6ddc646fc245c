package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minibert serve} as a real child process: its answers are {@code minibert predict}'s; SIGTERM drains. */
class ServeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEXTS = List.of("the cat sat on the mat", "ran very fast", "dog", "very slow cat");
    /** Texts in the request that is in flight when SIGTERM arrives: one forward pass each, seconds in all. */
    private static final int DRAINED_TEXTS = 1500;

    @TempDir Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void answersAsPredictDoesAndDrainsTheRequestInFlightOnSigterm() throws Exception {
        Path model = dir.resolve("classifier");
        TinySavedModels.classifier(model);
        Path log = dir.resolve("serve.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Minibert.class.getName(), "serve", "--model", model.toString(), "--port", "0", "--threads", "1",
                "--max-batch-size", "1", "--max-queue", String.valueOf(DRAINED_TEXTS))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            URI base = URI.create("http://127.0.0.1:" + port(log, child) + "/");
            awaitReady(base, child, log);

            // one text per forward pass, as predict --batch-size 1 does: the same doubles, bit for bit
            JsonNode served = JSON.readTree(post(base, TEXTS).join().body()).get("predictions");
            CliRun predict = CliRun.of(String.join("\n", TEXTS) + "\n", "predict", "--model", model.toString(),
                    "--batch-size", "1", "--threads", "1");
            List<String> lines = predict.stdout().lines().toList();
            assertThat(lines).as(predict.stderr()).hasSize(TEXTS.size());
            for (int i = 0; i < lines.size(); i++) {
                assertThat(served.get(i)).as(TEXTS.get(i)).isEqualTo(JSON.readTree(lines.get(i)));
            }

            CompletableFuture<HttpResponse<String>> inFlight =
                    post(base, Collections.nCopies(DRAINED_TEXTS, "the dog sat on the mat"));
            while (passes(base) < 1) {
                Thread.sleep(10);
            }
            assertThat(inFlight).as("still in flight when SIGTERM is sent").isNotDone();
            child.destroy(); // SIGTERM
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("exits after draining").isTrue();
            assertThat(child.exitValue()).as(Files.readString(log)).isZero();

            HttpResponse<String> drained = inFlight.get(5, TimeUnit.SECONDS);
            assertThat(drained.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(drained.body()).get("predictions")).hasSize(DRAINED_TEXTS);
            assertThat(Files.readString(log)).contains("stopping: finishing the requests in flight");
            assertThat(post(base, TEXTS)).as("no longer accepting")
                    .failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(Exception.class)
                    .withCauseInstanceOf(ConnectException.class);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aBusyPortOrABadOptionIsOneLine() throws IOException {
        Path model = TinySavedModels.encoder(dir.resolve("encoder"));
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliRun busy = CliRun.of("", "serve", "--model", model.toString(), "--port",
                    String.valueOf(taken.getLocalPort()));
            assertThat(busy.exitCode()).isEqualTo(1);
            assertThat(busy.stderr().strip()).doesNotContain("\n")
                    .startsWith("minibert serve: error: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        CliRun bad = CliRun.of("", "serve", "--model", model.toString(), "--max-queue", "0");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stderr()).contains("--max-queue must be at least 1, got 0");
    }

    @Test
    void aMissingModelIsOneLineNamingIt() {
        Path missing = dir.resolve("nothing-here");
        CliRun run = CliRun.of("", "serve", "--model", missing.toString(), "--port", "0");
        assertThat(run.exitCode()).isEqualTo(1);
        String error = run.stderr().lines().filter(l -> l.contains("error")).findFirst().orElseThrow();
        assertThat(error).startsWith("minibert serve: error: ").contains(missing.toString());
        assertThat(run.stderr()).doesNotContain("\tat ");
    }

    private CompletableFuture<HttpResponse<String>> post(URI base, List<String> texts) throws IOException {
        return http.sendAsync(HttpRequest.newBuilder(base.resolve("v1/classify"))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("texts", texts)),
                                StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Forward passes so far, from /metrics. */
    private double passes(URI base) throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(base.resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^minibert_batch_size_count (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static int port(Path log, Process child) throws Exception {
        Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
        for (int i = 0; i < 6000 && child.isAlive(); i++) {
            Matcher m = listening.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no port announced:\n" + Files.readString(log));
    }

    private void awaitReady(URI base, Process child, Path log) throws Exception {
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 6000 && child.isAlive(); i++) {
            int status = http.send(HttpRequest.newBuilder(base.resolve("health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return;
            }
            seen.add(status);
            Thread.sleep(10);
        }
        throw new AssertionError("not ready (" + seen.stream().distinct().toList() + "):\n" + Files.readString(log));
    }
}
