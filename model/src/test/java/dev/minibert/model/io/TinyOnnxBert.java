package dev.minibert.model.io;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.protobuf.ByteString;

/**
 * A tiny BERT encoder graph laid out like an HF/optimum export, as far as the import reads it: named
 * embeddings, LayerNorms and biases; anonymous [in,out] MatMul weights each followed by the Add of its bias;
 * layer 0's query reshaped to [0,0,heads,head_size]; an Erf; eps added before a Sqrt. Not runnable: the
 * import's input, the hostile-file tests' base and the ONNX fuzz seed.
 */
final class TinyOnnxBert {
    static final BertConfig CONFIG = BertConfig.builder().vocabSize(12).hiddenSize(8).numHiddenLayers(1)
            .numAttentionHeads(2).intermediateSize(16).maxPositionEmbeddings(8).typeVocabSize(2).layerNormEps(1e-12)
            .build();

    /** The graph and, under their HF names in [out,in] layout, the float values it stores. */
    record Export(Onnx.ModelProto model, Map<String, float[]> values) {
    }

    private TinyOnnxBert() {
    }

    static Export build() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertModel(CONFIG, store, "bert.", false);
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder();
        Map<String, float[]> values = new LinkedHashMap<>();
        int next = 0;
        for (Parameter p : store) {
            String name = p.name().substring("bert.".length());
            long[] shape = p.shape();
            float[] v = new float[(int) p.value().length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (next * 131 + i) % 97 / 97f - 0.5f; // distinct per tensor and position
            }
            next++;
            values.put(p.name(), v);
            if (shape.length == 2 && !name.startsWith("embeddings.")) {
                String w = "onnx::MatMul_" + next;
                g.addInitializer(floats(w, transpose(v, shape), shape[1], shape[0]));
                String bias = name.substring(0, name.length() - ".weight".length()) + ".bias";
                g.addNode(node("MatMul", w + "_out", "hidden", w));
                g.addNode(node("Add", w + "_sum", w + "_out", bias));
                if (name.equals("encoder.layer.0.attention.self.query.weight")) {
                    g.addNode(node("Reshape", "heads", w + "_sum", "heads_shape"));
                }
            } else {
                g.addInitializer(floats(name, v, shape));
            }
        }
        int heads = CONFIG.numAttentionHeads;
        g.addNode(constant("heads_shape", Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.INT64_VALUE)
                .addDims(4).addInt64Data(0).addInt64Data(0).addInt64Data(heads).addInt64Data(CONFIG.headSize())));
        g.addNode(constant("eps", floats("eps", new float[] {(float) CONFIG.layerNormEps}).toBuilder()));
        g.addNode(node("Add", "variance_eps", "variance", "eps"));
        g.addNode(node("Sqrt", "std", "variance_eps"));
        g.addNode(node("Erf", "erf", "hidden"));
        return new Export(Onnx.ModelProto.newBuilder().setIrVersion(8).setGraph(g).build(), values);
    }

    private static float[] transpose(float[] v, long[] shape) {
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        float[] t = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = v[r * cols + c];
            }
        }
        return t;
    }

    static Onnx.TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(v);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static Onnx.NodeProto node(String op, String output, String... inputs) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(op + "_" + output).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        return n.build();
    }

    private static Onnx.NodeProto constant(String output, Onnx.TensorProto.Builder value) {
        return node("Constant", output).toBuilder().addAttribute(Onnx.AttributeProto.newBuilder().setName("value")
                .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(value)).build();
    }
}
