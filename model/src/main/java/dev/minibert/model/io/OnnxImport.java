package dev.minibert.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

/**
 * Turns a BERT encoder exported to ONNX (HF/optimum layout) into a model directory. Named initializers
 * keep their HF names under {@code bert.}; each anonymous MatMul weight is named after the bias that
 * the Add following it consumes, and transposed from ONNX's [in,out] to HF's [out,in]. The config comes
 * from the tensors and the graph: the number of heads from the attention Reshape, eps from LayerNorm.
 */
public final class OnnxImport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    /** Pre-norm comes from a final_layer_norm (minibert's and the PyTorch peer's name; {@link OnnxExport} writes it). */
    private static final String FINAL_LAYER_NORM = "final_layer_norm.";

    private final Path onnxFile;
    private final Onnx.GraphProto graph;
    private final Map<String, Onnx.TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, Onnx.TensorProto> constants = new HashMap<>();
    private final Map<String, Onnx.NodeProto> producers = new HashMap<>();
    private final Map<String, List<Onnx.NodeProto>> consumers = new HashMap<>();

    private OnnxImport(Path onnxFile, Onnx.GraphProto graph) {
        this.onnxFile = onnxFile;
        this.graph = graph;
        for (Onnx.TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (Onnx.NodeProto n : graph.getNodeList()) {
            for (String out : n.getOutputList()) {
                producers.put(out, n);
            }
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
            if (n.getOpType().equals("Constant") && n.getAttributeCount() > 0 && n.getAttribute(0).hasT()) {
                constants.put(n.getOutput(0), n.getAttribute(0).getT());
            }
        }
    }

    /** The tensors and config of an imported model, before anything is written. */
    public record Imported(BertConfig config, Map<String, INDArray> tensors) {
        /** Whether the graph carries the pooler's weights, which the model directory then keeps. */
        public boolean hasPooler() {
            return tensors.containsKey("bert.pooler.dense.weight") && tensors.containsKey("bert.pooler.dense.bias");
        }
    }

    /** Reads {@code onnxFile} and writes {@code out} (config.json, vocab.txt, tokenizer_config.json, model.safetensors). */
    public static void importModel(Path onnxFile, Vocab vocab, boolean doLowerCase, Path out) throws IOException {
        Imported imported = read(onnxFile);
        if (vocab.size() != imported.config().vocabSize) {
            throw new IllegalArgumentException("the vocabulary has " + vocab.size() + " tokens but " + onnxFile
                    + " has " + imported.config().vocabSize + " word embeddings");
        }
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertModel(imported.config(), store, "bert.", imported.hasPooler());
        for (Parameter p : store) {
            p.value().assign(imported.tensors().get(p.name()));
        }
        ModelDirectory.save(out, imported.config(), vocab, doLowerCase, store, Map.of());
    }

    /** Parses and names the graph's weights; fails, naming the problem, when it is not a BERT encoder. */
    public static Imported read(Path onnxFile) throws IOException {
        Onnx.ModelProto model;
        try (InputStream in = Files.newInputStream(onnxFile)) {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            cis.setSizeLimit(Integer.MAX_VALUE); // real models exceed protobuf's 64 MB default
            model = Onnx.ModelProto.parseFrom(cis);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(onnxFile + ": not a readable ONNX model (truncated or corrupt): " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getGraph().getInitializerCount() == 0) {
            throw new IOException(onnxFile + ": not a readable ONNX model (no graph or no weights)");
        }
        return new OnnxImport(onnxFile, model.getGraph()).extract();
    }

    private Imported extract() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (Onnx.TensorProto t : initializers.values()) {
            if (isHfName(t.getName())) {
                tensors.put("bert." + t.getName(), toArray(t));
            }
        }
        for (Onnx.NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("MatMul") && n.getInputCount() == 2 && initializers.containsKey(n.getInput(1))
                    && !isHfName(n.getInput(1))) {
                String bias = biasAfter(n);
                INDArray w = toArray(initializers.get(n.getInput(1))); // [in,out]
                tensors.put("bert." + bias.substring(0, bias.length() - ".bias".length()) + ".weight",
                        w.transpose().dup('c'));
            }
        }
        require(tensors.containsKey("bert.embeddings.word_embeddings.weight"),
                "no embeddings.word_embeddings.weight initializer: not a BERT encoder");
        BertConfig config = config(tensors);
        // every tensor of the encoder must be present with the shape our BertModel expects
        ParameterStore expected = new ParameterStore(DataType.FLOAT);
        new BertModel(config, expected, "bert.", new Imported(config, tensors).hasPooler());
        for (Parameter p : expected) {
            INDArray t = tensors.get(p.name());
            require(t != null, "tensor " + p.name() + " not found in the graph");
            require(Arrays.equals(t.shape(), p.shape()), "tensor " + p.name() + " has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(p.shape()));
        }
        return new Imported(config, tensors);
    }

    private static boolean isHfName(String name) {
        return name.startsWith("embeddings.") || name.startsWith("encoder.") || name.startsWith("pooler.")
                || name.startsWith(FINAL_LAYER_NORM);
    }

    /** The name of the bias that the Add consuming this MatMul's output takes: what names the weight. */
    private String biasAfter(Onnx.NodeProto matMul) throws IOException {
        for (Onnx.NodeProto add : consumers.getOrDefault(matMul.getOutput(0), List.of())) {
            if (add.getOpType().equals("Add")) {
                for (String in : add.getInputList()) {
                    if (initializers.containsKey(in) && in.endsWith(".bias") && isHfName(in)) {
                        return in;
                    }
                }
            }
        }
        throw new IOException(onnxFile + ": MatMul weight " + matMul.getInput(1) + " (node " + matMul.getName()
                + ") is not followed by an Add of a named bias, so it cannot be named");
    }

    private BertConfig config(Map<String, INDArray> tensors) throws IOException {
        INDArray words = tensors.get("bert.embeddings.word_embeddings.weight");
        INDArray positions = tensors.get("bert.embeddings.position_embeddings.weight");
        INDArray types = tensors.get("bert.embeddings.token_type_embeddings.weight");
        INDArray intermediate = tensors.get("bert.encoder.layer.0.intermediate.dense.bias");
        require(positions != null && types != null && intermediate != null,
                "embeddings or layer 0 tensors are missing: not a BERT encoder");
        TreeSet<Integer> layers = new TreeSet<>();
        for (String name : initializers.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.find()) {
                layers.add(Integer.parseInt(m.group(1)));
            }
        }
        require(!layers.isEmpty() && layers.last() == layers.size() - 1, "encoder layers are not numbered 0..N-1: " + layers);
        int hidden = (int) words.size(1);
        int heads = heads(hidden);
        boolean erf = graph.getNodeList().stream().anyMatch(n -> n.getOpType().equals("Erf"));
        require(erf, "no Erf node: the activation is not BERT's exact GELU");
        return BertConfig.builder().vocabSize((int) words.size(0)).hiddenSize(hidden).numHiddenLayers(layers.size())
                .numAttentionHeads(heads).intermediateSize((int) intermediate.size(0))
                .maxPositionEmbeddings((int) positions.size(0)).typeVocabSize((int) types.size(0))
                .layerNormEps(layerNormEps()).hiddenAct("gelu")
                .normStyle(tensors.containsKey("bert." + FINAL_LAYER_NORM + "weight") ? BertConfig.NormStyle.PRE
                        : BertConfig.NormStyle.POST)
                .build();
    }

    /** Heads from the Reshape of layer 0's query/key/value to [B, T, heads, headSize]. */
    private int heads(int hidden) throws IOException {
        for (String projection : List.of("query", "key", "value")) {
            String bias = "encoder.layer.0.attention.self." + projection + ".bias";
            for (Onnx.NodeProto add : consumers.getOrDefault(bias, List.of())) {
                for (Onnx.NodeProto reshape : consumers.getOrDefault(add.getOutput(0), List.of())) {
                    if (!reshape.getOpType().equals("Reshape")) {
                        continue;
                    }
                    long[] shape = shapeValues(reshape.getInput(1));
                    if (shape != null && shape.length == 4 && shape[2] > 0 && shape[2] * shape[3] == hidden) {
                        return (int) shape[2];
                    }
                }
            }
        }
        throw new IOException(onnxFile + ": cannot find the attention Reshape to [B,T,heads,head_size] of layer 0");
    }

    /** A Reshape's target shape: a constant, or a Concat whose last two parts are constants. */
    private long[] shapeValues(String name) {
        Onnx.TensorProto constant = constants.getOrDefault(name, initializers.get(name));
        if (constant != null) {
            return longs(constant);
        }
        Onnx.NodeProto concat = producers.get(name);
        if (concat == null || !concat.getOpType().equals("Concat") || concat.getInputCount() != 4) {
            return null;
        }
        long[] shape = new long[4];
        for (int i = 2; i < 4; i++) {
            Onnx.TensorProto part = constants.getOrDefault(concat.getInput(i), initializers.get(concat.getInput(i)));
            if (part == null) {
                return null;
            }
            shape[i] = longs(part)[0];
        }
        return shape;
    }

    /** eps from the embeddings LayerNorm: the constant added to the variance before Sqrt. */
    private double layerNormEps() throws IOException {
        for (Onnx.NodeProto sqrt : graph.getNodeList()) {
            if (!sqrt.getOpType().equals("Sqrt")) {
                continue;
            }
            Onnx.NodeProto add = producers.get(sqrt.getInput(0));
            if (add != null && add.getOpType().equals("Add")) {
                for (String in : add.getInputList()) {
                    Onnx.TensorProto c = constants.getOrDefault(in, initializers.get(in));
                    if (c != null && c.getDataType() == Onnx.TensorProto.DataType.FLOAT_VALUE) {
                        // the float32 constant's shortest decimal (1e-12), not its binary expansion
                        return Double.parseDouble(Float.toString(toArray(c).getFloat(0)));
                    }
                }
            }
        }
        throw new IOException(onnxFile + ": no LayerNorm (Add eps → Sqrt) found: not a BERT encoder");
    }

    private INDArray toArray(Onnx.TensorProto t) throws IOException {
        if (t.getDataType() != Onnx.TensorProto.DataType.FLOAT_VALUE) {
            throw new IOException(onnxFile + ": tensor " + t.getName() + " has ONNX data type " + t.getDataType()
                    + "; only float32 weights are supported");
        }
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] values;
        if (!t.getRawData().isEmpty()) {
            require(t.getRawData().size() == count * 4, "tensor " + t.getName() + " holds " + t.getRawData().size()
                    + " bytes, expected " + count * 4);
            values = new float[(int) count];
            ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        } else {
            require(t.getFloatDataCount() == count, "tensor " + t.getName() + " holds " + t.getFloatDataCount()
                    + " floats, expected " + count);
            values = new float[(int) count];
            for (int i = 0; i < count; i++) {
                values[i] = t.getFloatData(i);
            }
        }
        return shape.length == 0 ? Nd4j.scalar(values[0]) : Nd4j.create(values, shape, 'c');
    }

    private static long[] longs(Onnx.TensorProto t) {
        if (t.getDataType() != Onnx.TensorProto.DataType.INT64_VALUE) {
            return null;
        }
        if (!t.getRawData().isEmpty()) {
            long[] v = new long[t.getRawData().size() / 8];
            ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
            return v;
        }
        return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
    }

    private void require(boolean ok, String message) throws IOException {
        if (!ok) {
            throw new IOException(onnxFile + ": " + message);
        }
    }

    /** The WordPiece vocabulary (in id order) and lower-casing of a HF tokenizers {@code tokenizer.json}. */
    public record TokenizerJson(Vocab vocab, boolean doLowerCase) {
        public static TokenizerJson read(Path file) throws IOException {
            JsonNode root;
            try {
                root = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
            }
            JsonNode model = root.path("model");
            if (!"WordPiece".equals(model.path("type").asText()) || !model.path("vocab").isObject()) {
                throw new IOException(file + ": no WordPiece vocabulary (model.type is '"
                        + model.path("type").asText("missing") + "')");
            }
            String[] tokens = new String[model.path("vocab").size()];
            var fields = model.path("vocab").fields();
            while (fields.hasNext()) {
                var e = fields.next();
                int id = e.getValue().asInt(-1);
                if (id < 0 || id >= tokens.length || tokens[id] != null) {
                    throw new IOException(file + ": WordPiece ids are not 0..N-1 without gaps (token '" + e.getKey()
                            + "' has id " + e.getValue() + ")");
                }
                tokens[id] = e.getKey();
            }
            JsonNode normalizer = root.path("normalizer");
            boolean lower = !"BertNormalizer".equals(normalizer.path("type").asText())
                    || normalizer.path("lowercase").asBoolean(true);
            return new TokenizerJson(Vocab.of(List.of(tokens)), lower);
        }
    }
}
