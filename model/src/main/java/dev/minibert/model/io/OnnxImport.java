package dev.minibert.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.MemoryBudget;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
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
 * Every stored tensor's dims are checked against its data before anything is allocated, and every failure
 * is an IOException naming the file; nothing is written unless the whole import succeeded.
 */
public final class OnnxImport {
    private static final ObjectMapper JSON = new ObjectMapper();
    // nine digits at most, so the number parses as an int; longer ones are not layer names
    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d{1,9})\\.");
    /** BERT's tensors have at most two dimensions; shape constants one. */
    private static final int MAX_RANK = 8;

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
            if (n.getOpType().equals("Constant") && n.getAttributeCount() > 0 && n.getAttribute(0).hasT()
                    && n.getOutputCount() > 0) {
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
        long size = Files.size(onnxFile);
        long limit = Math.min(MemoryBudget.MAX_TENSOR_BYTES, Runtime.getRuntime().maxMemory());
        if (size > limit) {
            throw new IOException(onnxFile + ": " + size + " bytes; protobuf parses an ONNX file whole into one heap, "
                    + "so it may have at most " + limit + " (models with external data are not supported; raise -Xmx)");
        }
        Onnx.ModelProto model;
        try {
            // From a byte[] (the size is bounded above): protobuf's stream decoder takes a negative string length
            // from a corrupt file to an IllegalStateException (found by OnnxImportFuzzTest), the array decoder
            // reports it. Aliasing lets the tensors' bytes stay in the one array instead of being copied.
            CodedInputStream cis = CodedInputStream.newInstance(Files.readAllBytes(onnxFile));
            cis.enableAliasing(true);
            model = Onnx.ModelProto.parseFrom(cis);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(onnxFile + ": not a readable ONNX model (truncated or corrupt): " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getGraph().getInitializerCount() == 0) {
            throw new IOException(onnxFile + ": not a readable ONNX model (no graph or no weights)");
        }
        OnnxImport graph = new OnnxImport(onnxFile, model.getGraph());
        try {
            graph.checkTensors();
            return graph.extract();
        } catch (IllegalArgumentException e) { // BertConfig's and MemoryBudget's checks
            throw new IOException(onnxFile + ": " + e.getMessage(), e);
        }
    }

    /** Before anything is allocated: every stored tensor's dims are sane and agree with the data it holds. */
    private void checkTensors() throws IOException {
        for (Onnx.TensorProto t : initializers.values()) {
            checkTensor(t);
        }
        for (Onnx.TensorProto t : constants.values()) {
            checkTensor(t);
        }
    }

    private void checkTensor(Onnx.TensorProto t) throws IOException {
        String name = "tensor " + t.getName();
        String where = name + ": ";
        require(t.getDataLocation() != Onnx.TensorProto.DataLocation.EXTERNAL,
                where + "its data is in an external file, which is not supported");
        require(t.getDimsCount() <= MAX_RANK, where + "rank " + t.getDimsCount() + " is over the limit of " + MAX_RANK);
        long count = 1;
        for (long d : t.getDimsList()) {
            require(d >= 0, where + "negative dimension in " + t.getDimsList());
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new IOException(onnxFile + ": " + where + "shape " + t.getDimsList() + " overflows");
            }
        }
        int width = elementBytes(t.getDataType());
        long stored = !t.getRawData().isEmpty() ? (width > 0 ? t.getRawData().size() / width : -1) : typedCount(t);
        require(stored < 0 || (stored == count && (t.getRawData().isEmpty() || t.getRawData().size() % width == 0)),
                where + "shape " + t.getDimsList() + " has " + count + " elements but the tensor holds "
                        + (t.getRawData().isEmpty() ? stored + " values" : t.getRawData().size() + " bytes"));
        if (width > 0 && stored >= 0) { // then count == stored, at most the file's size: no overflow
            MemoryBudget.checkTensor(name, count * width);
        }
    }

    /** Bytes per element of the ONNX data types a BERT export holds; 0 for the rest (not read by the import). */
    private static int elementBytes(int dataType) {
        return switch (dataType) {
            case Onnx.TensorProto.DataType.FLOAT_VALUE, Onnx.TensorProto.DataType.INT32_VALUE -> 4;
            case Onnx.TensorProto.DataType.INT64_VALUE, Onnx.TensorProto.DataType.DOUBLE_VALUE -> 8;
            case Onnx.TensorProto.DataType.BOOL_VALUE, Onnx.TensorProto.DataType.UINT8_VALUE,
                    Onnx.TensorProto.DataType.INT8_VALUE -> 1;
            case Onnx.TensorProto.DataType.FLOAT16_VALUE, Onnx.TensorProto.DataType.INT16_VALUE,
                    Onnx.TensorProto.DataType.UINT16_VALUE, Onnx.TensorProto.DataType.BFLOAT16_VALUE -> 2;
            default -> 0;
        };
    }

    /** The values held in the typed field of a tensor without raw data; -1 where no field applies. */
    private static long typedCount(Onnx.TensorProto t) {
        return switch (t.getDataType()) {
            case Onnx.TensorProto.DataType.FLOAT_VALUE -> t.getFloatDataCount();
            case Onnx.TensorProto.DataType.INT64_VALUE -> t.getInt64DataCount();
            case Onnx.TensorProto.DataType.DOUBLE_VALUE -> t.getDoubleDataCount();
            case Onnx.TensorProto.DataType.INT32_VALUE -> t.getInt32DataCount();
            default -> -1;
        };
    }

    private Imported extract() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (Onnx.TensorProto t : initializers.values()) {
            if (isHfName(t.getName())) {
                tensors.put("bert." + t.getName(), toArray(t));
            }
        }
        for (Onnx.NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("MatMul") && n.getInputCount() == 2 && n.getOutputCount() > 0
                    && initializers.containsKey(n.getInput(1)) && !isHfName(n.getInput(1))) {
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
        require(words.rank() == 2 && positions.rank() == 2 && types.rank() == 2 && intermediate.rank() == 1,
                "embeddings are not matrices or the layer 0 intermediate bias is not a vector: not a BERT encoder");
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
                if (add.getOutputCount() == 0) {
                    continue;
                }
                for (Onnx.NodeProto reshape : consumers.getOrDefault(add.getOutput(0), List.of())) {
                    if (!reshape.getOpType().equals("Reshape") || reshape.getInputCount() < 2) {
                        continue;
                    }
                    long[] shape = shapeValues(reshape.getInput(1));
                    // heads <= hidden first, so that the product below cannot overflow
                    if (shape != null && shape.length == 4 && shape[2] > 0 && shape[2] <= hidden
                            && shape[2] * shape[3] == hidden) {
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
            long[] values = part == null ? null : longs(part);
            if (values == null || values.length == 0) {
                return null;
            }
            shape[i] = values[0];
        }
        return shape;
    }

    /** eps from the embeddings LayerNorm: the constant added to the variance before Sqrt. */
    private double layerNormEps() throws IOException {
        for (Onnx.NodeProto sqrt : graph.getNodeList()) {
            if (!sqrt.getOpType().equals("Sqrt") || sqrt.getInputCount() == 0) {
                continue;
            }
            Onnx.NodeProto add = producers.get(sqrt.getInput(0));
            if (add != null && add.getOpType().equals("Add")) {
                for (String in : add.getInputList()) {
                    Onnx.TensorProto c = constants.getOrDefault(in, initializers.get(in));
                    if (c != null && c.getDataType() == Onnx.TensorProto.DataType.FLOAT_VALUE
                            && c.getDimsList().stream().allMatch(d -> d == 1)) { // a scalar, [1] or [1,1]
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
        // checkTensors() has bounded the dims and matched them to the data, so the count is an int
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int count = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        require(count > 0, "tensor " + t.getName() + " is empty");
        float[] values = new float[count];
        if (!t.getRawData().isEmpty()) {
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        } else {
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
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
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
                JsonNode value = e.getValue();
                int id = value.isIntegralNumber() && value.canConvertToInt() ? value.intValue() : -1;
                if (id < 0 || id >= tokens.length || tokens[id] != null) {
                    throw new IOException(file + ": WordPiece ids are not 0..N-1 without gaps (token '" + e.getKey()
                            + "' has id " + e.getValue() + ")");
                }
                tokens[id] = e.getKey();
            }
            JsonNode normalizer = root.path("normalizer");
            boolean lower = !"BertNormalizer".equals(normalizer.path("type").asText())
                    || normalizer.path("lowercase").asBoolean(true);
            try {
                return new TokenizerJson(Vocab.of(List.of(tokens)), lower);
            } catch (IllegalArgumentException e) { // an empty or duplicate token, or a special one missing
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
    }
}
