package dev.minibert.bench.serve;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.minibert.model.BertModel;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX Runtime running the graph {@code minibert export} wrote, as the network under the API's {@code Encoder} or
 * {@code Classifier}: the serve benchmark's peer engine. The session is set up as the speed peers' ORT
 * (scripts/peer/libtorch): {@code threads} intra-op threads, one inter-op thread, sequential, every graph
 * optimisation. Called from the batcher's thread only; the session lives as long as the server's JVM.
 */
final class OrtNetwork {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Path onnx;

    OrtNetwork(Path onnx, int threads) throws IOException {
        this.onnx = onnx;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // a pre-norm graph keeps its unused embeddings LayerNorm for the import round trip; ORT warns about it
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            session = env.createSession(onnx.toString(), options);
        } catch (OrtException e) {
            throw new IOException(onnx + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    /** The encoder graph's last_hidden_state [B,T,H] and pooler_output [B,H]. */
    BertModel.Output encoder(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
        try (OrtSession.Result result = run(inputIds, tokenTypeIds, attentionMask)) {
            return new BertModel.Output(array(result, "last_hidden_state"), array(result, "pooler_output"));
        }
    }

    /** The classifier graph's logits [B,numLabels]. */
    INDArray logits(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
        try (OrtSession.Result result = run(inputIds, tokenTypeIds, attentionMask)) {
            return array(result, "logits");
        }
    }

    /** Checks that the graph has these outputs; an error names the file (say, an encoder's graph for a classifier). */
    OrtNetwork require(String... outputs) {
        for (String name : outputs) {
            if (!session.getOutputNames().contains(name)) {
                throw new IllegalStateException(onnx + ": the graph has no output " + name + " (it has "
                        + session.getOutputNames() + ")");
            }
        }
        return this;
    }

    private OrtSession.Result run(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
        try (OnnxTensor ids = tensor(inputIds);
             OnnxTensor types = tensor(tokenTypeIds);
             OnnxTensor mask = tensor(attentionMask)) {
            return session.run(Map.of("input_ids", ids, "token_type_ids", types, "attention_mask", mask));
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + onnx + ": " + e.getMessage(), e);
        }
    }

    /** [B][T] ints as the graph's int64 [B,T] input (rows of one batch are padded to one length). */
    private OnnxTensor tensor(int[][] rows) throws OrtException {
        int width = rows[0].length;
        long[] flat = new long[rows.length * width];
        for (int b = 0; b < rows.length; b++) {
            for (int t = 0; t < width; t++) {
                flat[b * width + t] = rows[b][t];
            }
        }
        return OnnxTensor.createTensor(env, LongBuffer.wrap(flat), new long[] {rows.length, width});
    }

    private static INDArray array(OrtSession.Result result, String name) {
        OnnxValue value = result.get(name).orElseThrow();
        OnnxTensor tensor = (OnnxTensor) value;
        FloatBuffer buffer = tensor.getFloatBuffer(); // a copy of the output, in row-major order
        float[] data = new float[buffer.remaining()];
        buffer.get(data);
        return Nd4j.createFromArray(data).reshape(tensor.getInfo().getShape());
    }
}
