package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Initializer;
import dev.minibert.model.Linear;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Export → import gives back the model directory's tensors bit for bit (post- and pre-norm), the graph has HF's
 * names and dynamic axes, and the {@code .onnx} file guard never replaces a file minibert did not write.
 * (ONNX Runtime parity against the model's own forward is in the api module's {@code OnnxExportParityTest}.)
 */
class OnnxExportTest {
    @TempDir
    Path tmp;

    static Vocab vocab() {
        List<String> tokens = new ArrayList<>(Vocab.SPECIAL_TOKENS);
        tokens.addAll(List.of("the", "cat", "sat", "on", "mat"));
        return Vocab.of(tokens);
    }

    static BertConfig config(BertConfig.NormStyle style) {
        return BertConfig.builder().vocabSize(10).hiddenSize(16).numHiddenLayers(2).numAttentionHeads(4)
                .intermediateSize(24).maxPositionEmbeddings(20).layerNormEps(1e-7).normStyle(style).build();
    }

    /** A randomly initialised encoder (with pooler, and a classifier head when {@code labels > 0}). */
    Path saved(String name, BertConfig.NormStyle style, int labels) throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertModel(config(style), store, "bert.", true);
        if (labels > 0) {
            new Linear(store, "classifier", 16, labels);
        }
        Initializer.initialize(store, 0.3, 5);
        Path dir = tmp.resolve(name);
        ModelDirectory.save(dir, config(style), vocab(), true, store, Map.of());
        return dir;
    }

    @Test
    void postAndPreNormRoundTripBitForBit() throws IOException {
        for (BertConfig.NormStyle style : BertConfig.NormStyle.values()) {
            Path dir = saved("model-" + style, style, 0);
            Path onnx = tmp.resolve(style + ".onnx");
            OnnxExport.Summary summary = OnnxExport.export(dir, onnx, false);
            assertThat(summary.classifier()).isFalse();
            assertThat(summary.pooler()).isTrue();

            Path back = tmp.resolve("back-" + style);
            OnnxImport.importModel(onnx, vocab(), true, back);
            Map<String, INDArray> original = SafeTensors.read(dir.resolve(ModelDirectory.WEIGHTS));
            Map<String, INDArray> imported = SafeTensors.read(back.resolve(ModelDirectory.WEIGHTS));
            assertThat(imported.keySet()).as(style.toString()).containsExactlyInAnyOrderElementsOf(original.keySet());
            for (String name : original.keySet()) {
                // float[] equality is Arrays.equals: bit patterns (floatToIntBits), in linear time
                assertThat(imported.get(name).data().asFloat()).as(style + " " + name + " bits")
                        .isEqualTo(original.get(name).data().asFloat());
            }
            BertConfig c = ModelDirectory.open(back).config();
            assertThat(c.normStyle).isEqualTo(style);
            assertThat(List.of(c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.intermediateSize,
                    c.maxPositionEmbeddings)).containsExactly(16, 2, 4, 24, 20);
            assertThat(c.layerNormEps).isEqualTo(1e-7);
        }
    }

    @Test
    void graphHasHfNamesDynamicAxesAndTheClassifierHead() throws IOException {
        Path onnx = tmp.resolve("classifier.onnx");
        OnnxExport.Summary summary = OnnxExport.export(saved("classifier", BertConfig.NormStyle.POST, 3), onnx, false);
        assertThat(summary.numLabels()).isEqualTo(3);
        Onnx.ModelProto model = Onnx.ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertThat(model.getProducerName()).isEqualTo("minibert");
        assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(OnnxExport.OPSET);
        Onnx.GraphProto g = model.getGraph();
        assertThat(g.getInputList()).extracting(Onnx.ValueInfoProto::getName)
                .containsExactly("input_ids", "attention_mask", "token_type_ids");
        assertThat(g.getOutputList()).extracting(Onnx.ValueInfoProto::getName).containsExactly("logits");
        Onnx.TensorShapeProto ids = g.getInput(0).getType().getTensorType().getShape();
        assertThat(List.of(ids.getDim(0).getDimParam(), ids.getDim(1).getDimParam()))
                .containsExactly("batch_size", "sequence_length");
        assertThat(g.getOutput(0).getType().getTensorType().getShape().getDim(1).getDimValue()).isEqualTo(3);
        assertThat(g.getInitializerList()).extracting(Onnx.TensorProto::getName)
                .contains("embeddings.word_embeddings.weight", "classifier.weight", "pooler.dense.bias");
        assertThat(g.getNodeList()).extracting(Onnx.NodeProto::getOpType).contains("Erf", "Tanh", "Softmax")
                .doesNotContain("Gelu", "LayerNormalization");
    }

    @Test
    void refusesAFileMinibertDidNotWriteUnlessOverwrite() throws IOException {
        Path dir = saved("model", BertConfig.NormStyle.POST, 0);
        Path users = Files.writeString(tmp.resolve("users.onnx"), "the user's own file");
        assertThatThrownBy(() -> OnnxExport.export(dir, users, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(users.toString()).hasMessageContaining("--overwrite");
        assertThat(Files.readString(users)).isEqualTo("the user's own file");

        OnnxExport.export(dir, users, true);
        assertThat(OnnxExport.writtenByMinibert(users)).isTrue();
        // once minibert's, re-exporting replaces it without --overwrite
        OnnxExport.export(saved("pre", BertConfig.NormStyle.PRE, 0), users, false);
        assertThat(ModelDirectory.open(importInto(users)).config().normStyle).isEqualTo(BertConfig.NormStyle.PRE);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void missingModelFolderNamesItAndWritesNothing() {
        Path onnx = tmp.resolve("never.onnx");
        assertThatThrownBy(() -> OnnxExport.export(tmp.resolve("nope"), onnx, false)).isInstanceOf(IOException.class)
                .hasMessageContaining("nope");
        assertThat(onnx).doesNotExist();
        assertThatThrownBy(() -> OnnxExport.export(tmp, tmp.resolve("no/such/folder.onnx"), false))
                .isInstanceOf(IOException.class).hasMessageContaining("does not exist");
    }

    private Path importInto(Path onnx) throws IOException {
        Path out = tmp.resolve("imported");
        OnnxImport.importModel(onnx, vocab(), true, out);
        return out;
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }
}
