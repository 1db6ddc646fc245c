package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** ONNX files with lying tensor dims: a clear error naming the file before any allocation, and no --out. */
class OnnxHostileTest {
    private static final Vocab VOCAB = Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "a", "b", "c", "d", "e", "f", "g"));
    private static final String WORDS = "embeddings.word_embeddings.weight";

    @TempDir
    Path dir;

    @Test
    void theTinyExportImportsToTheValuesItStores() throws IOException {
        TinyOnnxBert.Export export = TinyOnnxBert.build();
        Path file = dir.resolve("tiny.onnx");
        Files.write(file, export.model().toByteArray());
        OnnxImport.Imported imported = OnnxImport.read(file);
        assertThat(imported.config()).isEqualTo(TinyOnnxBert.CONFIG);
        assertThat(imported.tensors().keySet()).containsExactlyInAnyOrderElementsOf(export.values().keySet());
        export.values().forEach((name, values) -> {
            INDArray t = imported.tensors().get(name);
            assertThat(t.dup('c').data().asFloat()).as(name).containsExactly(values);
        });
        Path out = dir.resolve("model");
        OnnxImport.importModel(file, VOCAB, true, out);
        assertThat(out.resolve(ModelDirectory.WEIGHTS)).isRegularFile();
    }

    @Test
    void theOnnxFuzzSeedIsTheTinyExport() throws IOException {
        try (var in = getClass().getResourceAsStream("OnnxImportFuzzTestInputs/bertGraph/tiny.onnx")) {
            assertThat(in.readAllBytes()).isEqualTo(TinyOnnxBert.build().model().toByteArray());
        }
    }

    /** The tiny export with the word embeddings replaced; the import of it must fail and write nothing. */
    private void assertRefused(UnaryOperator<Onnx.TensorProto.Builder> lie, String problem) throws IOException {
        Onnx.ModelProto model = TinyOnnxBert.build().model();
        Onnx.GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals(WORDS)) {
                g.setInitializer(i, lie.apply(g.getInitializer(i).toBuilder()));
            }
        }
        Path file = dir.resolve("hostile.onnx");
        Files.write(file, model.toBuilder().setGraph(g).build().toByteArray());
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> OnnxImport.importModel(file, VOCAB, true, out)).isInstanceOf(IOException.class)
                .hasMessage(file + ": tensor " + WORDS + ": " + problem);
        assertThat(out).doesNotExist();
        try (var left = Files.list(dir)) {
            assertThat(left).as("nothing written beside --out either").containsExactly(file);
        }
    }

    @Test
    void aNegativeDimensionIsRefused() throws IOException {
        assertRefused(t -> t.setDims(0, -12), "negative dimension in [-12, 8]");
    }

    @Test
    void dimsWhoseProductOverflowsAreRefused() throws IOException {
        assertRefused(t -> t.setDims(0, 1L << 40).setDims(1, 1L << 40), "shape [1099511627776, 1099511627776] overflows");
    }

    @Test
    void dimsThatDisagreeWithTheDataAreRefused() throws IOException {
        assertRefused(t -> t.setDims(0, 13), "shape [13, 8] has 104 elements but the tensor holds 384 bytes");
        assertRefused(t -> t.clearRawData().addFloatData(1f), "shape [12, 8] has 96 elements but the tensor holds 1 values");
    }

    @Test
    void hugeDimsBackedByNoDataAreRefusedBeforeAllocating() throws IOException {
        // 2^31 floats promised by 384 bytes: the old import allocated new float[(int) count] first
        assertRefused(t -> t.setDims(0, 1L << 28), "shape [268435456, 8] has 2147483648 elements but the tensor holds"
                + " 384 bytes");
    }

    @Test
    void anOverDeepShapeAndExternalDataAreRefused() throws IOException {
        assertRefused(t -> {
            for (int i = 0; i < 7; i++) {
                t.addDims(1);
            }
            return t;
        }, "rank 9 is over the limit of 8");
        assertRefused(t -> t.setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL),
                "its data is in an external file, which is not supported");
    }

    @Test
    void aNegativeStringLengthIsACorruptFileNotAnIllegalState() throws IOException {
        // found by OnnxImportFuzzTest (crash-negative-string-length): protobuf's stream decoder threw
        // IllegalStateException on it. ModelProto.graph (7) > GraphProto.node (1) > NodeProto.name (3) of length -1.
        byte[] minusOne = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, (byte) 0xFF, 0x01};
        byte[] bytes = new byte[4 + 1 + minusOne.length];
        bytes[0] = 0x3A;
        bytes[1] = (byte) (bytes.length - 2);
        bytes[2] = 0x0A;
        bytes[3] = (byte) (bytes.length - 4);
        bytes[4] = 0x1A;
        System.arraycopy(minusOne, 0, bytes, 5, minusOne.length);
        Path file = dir.resolve("negative.onnx");
        Files.write(file, bytes);
        assertThatThrownBy(() -> OnnxImport.read(file)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ": not a readable ONNX model (truncated or corrupt): ");
    }

    @Test
    void aTokenizerJsonWithoutSpecialsOrWithFractionalIdsNamesTheFile() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[PAD]\": 0, \"a\": 1}}}");
        assertThatThrownBy(() -> OnnxImport.TokenizerJson.read(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ": vocab: missing special token [UNK] (a BERT vocab needs [PAD] [UNK] [CLS] [SEP] [MASK])");
        Files.writeString(file, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[PAD]\": 0, \"a\": 0.5}}}");
        assertThatThrownBy(() -> OnnxImport.TokenizerJson.read(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ": WordPiece ids are not 0..N-1 without gaps (token 'a' has id 0.5)");
    }

    @Test
    void anUnreadTensorOfHugeDimsAndNoDataIsNoObstacle() throws IOException {
        // FLOAT16 has no typed field to count: its 2^62+1 elements were multiplied by 2 bytes, overflowing
        Onnx.ModelProto model = TinyOnnxBert.build().model();
        Onnx.GraphProto graph = model.getGraph().toBuilder().addInitializer(Onnx.TensorProto.newBuilder()
                .setName("unused_half").setDataType(Onnx.TensorProto.DataType.FLOAT16_VALUE).addDims((1L << 62) + 1))
                .build();
        Path file = dir.resolve("extra.onnx");
        Files.write(file, model.toBuilder().setGraph(graph).build().toByteArray());
        assertThat(OnnxImport.read(file).config()).isEqualTo(TinyOnnxBert.CONFIG);
    }
}
