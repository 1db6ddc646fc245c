package dev.minibert.serve;

import dev.minibert.api.Classifier;
import dev.minibert.api.Encoder;
import dev.minibert.api.Pooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The model behind the server: a classifier directory (with {@code labels.json}) answers {@code /v1/classify}, any
 * other model directory {@code /v1/embed}. Its forward pass is called from one thread only (the batcher's): the
 * API's models are not thread-safe.
 *
 * @param task {@code classify} or {@code embed}: the one endpoint this model answers
 * @param forward one forward pass over a batch
 */
public record ServedModel(String task, Forward forward) {
    /** What a finetuned directory has and an encoder directory lacks. */
    public static final String LABELS_FILE = "labels.json";

    /** One forward pass over a batch of texts. */
    @FunctionalInterface
    public interface Forward {
        /**
         * Per text, a {@code Prediction} (a classifier, which reads the pairs, null for a single text) or the vector
         * its pooling makes (an encoder, which reads the poolings).
         */
        List<Object> apply(List<String> texts, List<String> pairs, List<Pooling> poolings);
    }

    /**
     * Loads a classifier or an encoder, forward passes of up to {@code batchSize} texts, with the same defaults as
     * {@code minibert predict} and {@code minibert embed} so that the server's answers are theirs.
     */
    public static ServedModel load(Path dir, int threads, int batchSize) throws IOException {
        if (isClassifier(dir)) {
            return of(Classifier.load(dir, threads, batchSize));
        }
        return of(Encoder.load(dir, threads, batchSize));
    }

    /** Whether {@code dir} holds a finetuned classifier (it answers /v1/classify) rather than an encoder. */
    public static boolean isClassifier(Path dir) {
        return Files.isRegularFile(dir.resolve(LABELS_FILE));
    }

    /** A classifier answering {@code /v1/classify}, with {@code minibert predict}'s truncation. */
    public static ServedModel of(Classifier classifier) {
        return new ServedModel("classify", (texts, pairs, poolings) ->
                List.copyOf(classifier.classify(texts, pairs, Classifier.DEFAULT_MAX_SEQ_LEN)));
    }

    /** An encoder answering {@code /v1/embed}, with {@code minibert embed}'s truncation. */
    public static ServedModel of(Encoder encoder) {
        // requests with different poolings share a pass
        return new ServedModel("embed", (texts, pairs, poolings) ->
                Arrays.asList((Object[]) encoder.embed(texts, poolings))); // one vector per text
    }

    /**
     * One forward pass before {@code /health} says ready: ND4J's first operations and the float kernels' first
     * (interpreted) calls are slow, and the first clients should not wait for them.
     */
    public void warmUp() {
        forward.apply(List.of("warm up"), Collections.singletonList(null), List.of(Pooling.CLS));
    }
}
