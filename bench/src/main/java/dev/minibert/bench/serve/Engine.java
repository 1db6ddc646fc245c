package dev.minibert.bench.serve;

import dev.minibert.api.Classifier;
import dev.minibert.api.Encoder;
import dev.minibert.serve.ServedModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What computes the forward passes behind the server. Both engines share everything else: the HTTP layer, the
 * batcher, the API's tokenizer, batching by length, padding, pooling and softmax.
 */
enum Engine {
    /** minibert's own model: exactly what {@code minibert serve} runs. */
    minibert,
    /** ONNX Runtime running the graph {@code minibert export} wrote for the same directory. */
    ort;

    /**
     * The served model of {@code dir}: a classifier (with labels.json) or an encoder.
     *
     * @param onnx the exported graph of {@code dir}; read by {@link #ort} only
     */
    ServedModel load(Path dir, Path onnx, int threads, int batchSize) throws IOException {
        if (this == minibert) {
            return ServedModel.load(dir, threads, batchSize);
        }
        if (onnx == null) {
            throw new IllegalArgumentException("--engine ort needs --onnx, the graph minibert export wrote for " + dir);
        }
        OrtNetwork network = new OrtNetwork(onnx, threads); // lives as long as the server
        if (ServedModel.isClassifier(dir)) {
            return ServedModel.of(Classifier.withNetwork(dir, batchSize, network.require("logits")::logits));
        }
        return ServedModel.of(Encoder.withNetwork(dir, batchSize,
                network.require("last_hidden_state", "pooler_output")::encoder));
    }
}
