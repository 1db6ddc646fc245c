package dev.minibert.model.io;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Linear;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.WireFormat;

/**
 * Writes a model directory as a standard ONNX graph with HF/optimum's names: inputs {@code input_ids},
 * {@code attention_mask}, {@code token_type_ids} (int64, dynamic {@code batch_size} and {@code sequence_length});
 * outputs {@code last_hidden_state} and {@code pooler_output}, or {@code logits} for a finetuned classifier.
 * Weights keep their HF names (without {@code bert.}) and layout, so {@link OnnxImport} reads them back bit for bit;
 * the ops compute what {@link BertModel} does: erf GELU, the config's LayerNorm eps, -10000 on padded keys,
 * post- or pre-norm (a pre-norm model's embeddings LayerNorm is stored but, as in the model, not applied).
 */
public final class OnnxExport {
    /** The ModelProto's producer_name: what tells a file minibert wrote from the user's. */
    public static final String PRODUCER = "minibert";
    /** ONNX Runtime 1.20 runs opset 14 fully; LayerNorm is decomposed as HF's exporter does (Add eps → Sqrt). */
    public static final int OPSET = 14;
    private static final int IR_VERSION = 8;
    private static final int INT64 = Onnx.TensorProto.DataType.INT64_VALUE;
    private static final String BATCH = "batch_size";
    private static final String SEQUENCE = "sequence_length";

    private final BertConfig config;
    private final ParameterStore store;
    private final OnnxGraph graph = new OnnxGraph("minibert");

    private OnnxExport(BertConfig config, ParameterStore store) {
        this.config = config;
        this.store = store;
    }

    /** What was exported: the graph's outputs and, for a classifier, its number of labels (0 otherwise). */
    public record Summary(boolean classifier, boolean pooler, int numLabels) {
    }

    /**
     * Exports {@code modelDir} to {@code onnxFile}, written atomically. Refuses, before reading the model, to replace
     * a file minibert did not write unless {@code overwrite}.
     */
    public static Summary export(Path modelDir, Path onnxFile, boolean overwrite) throws IOException {
        OutputFile.requireReplaceable(onnxFile, overwrite, OnnxExport::writtenByMinibert);
        Path folder = onnxFile.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new IOException(onnxFile + ": the folder " + folder + " does not exist");
        }
        ModelDirectory model = ModelDirectory.open(modelDir);
        BertConfig config = model.config();
        boolean pooler = model.tensors().containsKey("bert.pooler.dense.weight");
        INDArray classifierWeight = model.tensors().get("classifier.weight");
        if (classifierWeight != null && !pooler) {
            throw new IOException(modelDir + ": has classifier.weight but no bert.pooler.dense.weight: "
                    + "not a sequence classifier this export knows");
        }
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertModel(config, store, "bert.", pooler);
        int numLabels = 0;
        if (classifierWeight != null) {
            numLabels = (int) classifierWeight.size(0);
            new Linear(store, "classifier", config.hiddenSize, numLabels);
        }
        model.loadInto(store, name -> false); // every tensor present with its shape, or an error naming the file
        Onnx.ModelProto proto = new OnnxExport(config, store).build(pooler, numLabels);
        AtomicFiles.write(onnxFile, ch -> proto.writeTo(Channels.newOutputStream(ch)));
        return new Summary(numLabels > 0, pooler, numLabels);
    }

    /** True when the file is an ONNX model whose producer_name is {@link #PRODUCER}; reads only up to that field. */
    public static boolean writtenByMinibert(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            cis.setSizeLimit(Integer.MAX_VALUE);
            for (int tag = cis.readTag(); tag != 0; tag = cis.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == Onnx.ModelProto.PRODUCER_NAME_FIELD_NUMBER
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    return PRODUCER.equals(cis.readString());
                }
                if (!cis.skipField(tag)) {
                    return false;
                }
            }
        } catch (org.nd4j.shade.protobuf.InvalidProtocolBufferException e) {
            return false; // not protobuf at all: certainly not ours
        }
        return false;
    }

    private Onnx.ModelProto build(boolean pooler, int numLabels) {
        for (Parameter p : store) {
            graph.weight(onnxName(p.name()), p.value());
        }
        graph.input("input_ids", INT64, BATCH, SEQUENCE);
        graph.input("attention_mask", INT64, BATCH, SEQUENCE);
        graph.input("token_type_ids", INT64, BATCH, SEQUENCE);
        String hidden = encoder(embeddings(), maskBias());
        long h = config.hiddenSize;
        if (numLabels > 0) {
            graph.output("logits", dense(pooler(hidden), "classifier"), BATCH, (long) numLabels);
        } else {
            graph.output("last_hidden_state", hidden, BATCH, SEQUENCE, h);
            if (pooler) {
                graph.output("pooler_output", pooler(hidden), BATCH, h);
            }
        }
        return Onnx.ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName(PRODUCER)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph.build()).build();
    }

    /** HF/optimum's initializer names: the encoder's without the {@code bert.} prefix, the head's as they are. */
    private static String onnxName(String storeName) {
        return storeName.startsWith("bert.") ? storeName.substring("bert.".length()) : storeName;
    }

    /** word + position (0..T-1) + token type embeddings, then LayerNorm in post-norm only (as BertEmbeddings). */
    private String embeddings() {
        String words = graph.op("Gather", "embeddings.word_embeddings.weight", "input_ids");
        String length = graph.op("Slice", graph.op("Shape", "input_ids"), graph.longs(1), graph.longs(2));
        String positions = graph.op("Slice", "embeddings.position_embeddings.weight", graph.longs(0), length,
                graph.longs(0));
        String types = graph.op("Gather", "embeddings.token_type_embeddings.weight", "token_type_ids");
        String sum = graph.op("Add", graph.op("Add", words, positions), types);
        return preNorm() ? sum : layerNorm(sum, "embeddings.LayerNorm");
    }

    /** [B,1,1,T]: 0 on real keys, BertModel's -10000 on padded ones (HF's additive mask). */
    private String maskBias() {
        String mask = graph.op("Cast", OnnxGraph.integer("to", Onnx.TensorProto.DataType.FLOAT_VALUE),
                graph.op("Unsqueeze", "attention_mask", graph.longs(1, 2)));
        return graph.op("Mul", graph.op("Sub", graph.scalar(1f), mask), graph.scalar(-10000f));
    }

    private String encoder(String x, String maskBias) {
        for (int i = 0; i < config.numHiddenLayers; i++) {
            x = layer(x, maskBias, "encoder.layer." + i + ".");
        }
        return preNorm() ? layerNorm(x, "final_layer_norm") : x;
    }

    /** As BertLayer: post-norm LN(x + sublayer(x)); pre-norm x + sublayer(LN(x)), with the same LayerNorm names. */
    private String layer(String x, String maskBias, String prefix) {
        String attentionNorm = prefix + "attention.output.LayerNorm";
        String outputNorm = prefix + "output.LayerNorm";
        String attended = attention(preNorm() ? layerNorm(x, attentionNorm) : x, maskBias, prefix + "attention.self.");
        String h = graph.op("Add", dense(attended, prefix + "attention.output.dense"), x);
        h = preNorm() ? h : layerNorm(h, attentionNorm);
        String ffnIn = preNorm() ? layerNorm(h, outputNorm) : h;
        String ffn = dense(gelu(dense(ffnIn, prefix + "intermediate.dense")), prefix + "output.dense");
        String out = graph.op("Add", ffn, h);
        return preNorm() ? out : layerNorm(out, outputNorm);
    }

    /** softmax(Q K^T / sqrt(d) + maskBias) V over heads, back to [B,T,H]. */
    private String attention(String x, String maskBias, String prefix) {
        String q = heads(dense(x, prefix + "query"), 0, 2, 1, 3);
        String kT = heads(dense(x, prefix + "key"), 0, 2, 3, 1);
        String v = heads(dense(x, prefix + "value"), 0, 2, 1, 3);
        String scores = graph.op("Mul", graph.op("MatMul", q, kT), graph.scalar((float) (1 / Math.sqrt(config.headSize()))));
        String probs = graph.op("Softmax", OnnxGraph.integer("axis", -1), graph.op("Add", scores, maskBias));
        String context = graph.op("Transpose", OnnxGraph.ints("perm", 0, 2, 1, 3), graph.op("MatMul", probs, v));
        return graph.op("Reshape", context, graph.longs(0, 0, config.hiddenSize));
    }

    /** [B,T,H] → [B,T,heads,d] (the Reshape OnnxImport reads the number of heads from), then permuted. */
    private String heads(String projected, long... perm) {
        String split = graph.op("Reshape", projected, graph.longs(0, 0, config.numAttentionHeads, config.headSize()));
        return graph.op("Transpose", OnnxGraph.ints("perm", perm), split);
    }

    /** x W^T + b with W in HF's [out,in] layout (kept as stored, so the import needs no transpose). */
    private String dense(String x, String name) {
        String weightT = graph.op("Transpose", OnnxGraph.ints("perm", 1, 0), onnxName(name) + ".weight");
        return graph.op("Add", graph.op("MatMul", x, weightT), onnxName(name) + ".bias");
    }

    /** (x - mean) / sqrt(var + eps) · gamma + beta over the last axis, biased variance, eps from the config. */
    private String layerNorm(String x, String name) {
        String centered = graph.op("Sub", x, graph.op("ReduceMean", OnnxGraph.ints("axes", -1), x));
        String variance = graph.op("ReduceMean", OnnxGraph.ints("axes", -1),
                graph.op("Pow", centered, graph.scalar(2f)));
        String std = graph.op("Sqrt", graph.op("Add", variance, graph.scalar((float) config.layerNormEps)));
        String normalized = graph.op("Div", centered, std);
        return graph.op("Add", graph.op("Mul", normalized, name + ".weight"), name + ".bias");
    }

    /** BERT's exact GELU, x · ½(1 + erf(x/√2)), as {@code Gelu} computes it (not the tanh approximation). */
    private String gelu(String x) {
        String erf = graph.op("Erf", graph.op("Div", x, graph.scalar((float) Math.sqrt(2))));
        return graph.op("Mul", graph.op("Mul", x, graph.op("Add", erf, graph.scalar(1f))), graph.scalar(0.5f));
    }

    /** tanh(dense(h[:, 0])): the [CLS] position's state. */
    private String pooler(String hidden) {
        String first = graph.op("Gather", OnnxGraph.integer("axis", 1), hidden, graph.longScalar(0));
        return graph.op("Tanh", dense(first, "pooler.dense"));
    }

    private boolean preNorm() {
        return config.normStyle == BertConfig.NormStyle.PRE;
    }
}
