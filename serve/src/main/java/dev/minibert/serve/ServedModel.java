package dev.minibert.serve;

import dev.minibert.api.Classifier;
import dev.minibert.api.EncodedText;
import dev.minibert.api.Encoder;
import dev.minibert.api.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The model behind the server: a classifier directory (with {@code labels.json}) answers {@code /v1/classify}, any
 * other model directory {@code /v1/embed}. Called from one thread only (the batcher's): the API's models are not
 * thread-safe.
 */
public interface ServedModel {
    /** What a finetuned directory has and an encoder directory lacks. */
    String LABELS_FILE = "labels.json";

    /** {@code classify} or {@code embed}: the one endpoint this model answers. */
    String task();

    /** One forward pass over the batch's texts (pairs are null for single texts). */
    List<Prediction> classify(List<String> texts, List<String> pairs);

    /** One forward pass over the batch's texts, truncated as {@code minibert embed} does. */
    List<EncodedText> encode(List<String> texts);

    /**
     * One forward pass before {@code /health} says ready: ND4J's first operations and the float kernels' first
     * (interpreted) calls are slow, and the first clients should not wait for them.
     */
    default void warmUp() {
        if (task().equals("classify")) {
            classify(List.of("warm up"), null);
        } else {
            encode(List.of("warm up"));
        }
    }

    /**
     * Loads a classifier or an encoder, forward passes of up to {@code batchSize} texts, with the same defaults as
     * {@code minibert predict} and {@code minibert embed} so that the server's answers are theirs.
     */
    static ServedModel load(Path dir, int threads, int batchSize) throws IOException {
        if (Files.isRegularFile(dir.resolve(LABELS_FILE))) {
            return new ServedClassifier(Classifier.load(dir, threads, batchSize));
        }
        return new ServedEncoder(Encoder.load(dir, threads, batchSize));
    }
}
