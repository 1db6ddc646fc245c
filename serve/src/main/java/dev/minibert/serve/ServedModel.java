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
     * Loads a classifier or an encoder, forward passes of up to {@code batchSize} texts, with the same defaults as
     * {@code minibert predict} and {@code minibert embed} so that the server's answers are theirs.
     */
    static ServedModel load(Path dir, int threads, int batchSize) throws IOException {
        if (Files.isRegularFile(dir.resolve(LABELS_FILE))) {
            Classifier classifier = Classifier.load(dir, threads, batchSize);
            return new ServedModel() {
                @Override
                public String task() {
                    return "classify";
                }

                @Override
                public List<Prediction> classify(List<String> texts, List<String> pairs) {
                    return classifier.classify(texts, pairs, Classifier.DEFAULT_MAX_SEQ_LEN);
                }

                @Override
                public List<EncodedText> encode(List<String> texts) {
                    throw new UnsupportedOperationException("a classifier does not embed");
                }
            };
        }
        Encoder encoder = Encoder.load(dir, threads, batchSize);
        return new ServedModel() {
            @Override
            public String task() {
                return "embed";
            }

            @Override
            public List<Prediction> classify(List<String> texts, List<String> pairs) {
                throw new UnsupportedOperationException("an encoder does not classify");
            }

            @Override
            public List<EncodedText> encode(List<String> texts) {
                return encoder.encode(texts);
            }
        };
    }
}
