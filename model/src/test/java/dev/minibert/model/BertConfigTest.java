package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class BertConfigTest {
    /** The config.json of HF's bert-base-chinese, as published (keys we do not model included). */
    private static final String BERT_BASE_CHINESE = """
            {
              "architectures": ["BertForMaskedLM"],
              "attention_probs_dropout_prob": 0.1,
              "directionality": "bidi",
              "hidden_act": "gelu",
              "hidden_dropout_prob": 0.1,
              "hidden_size": 768,
              "initializer_range": 0.02,
              "intermediate_size": 3072,
              "layer_norm_eps": 1e-12,
              "max_position_embeddings": 512,
              "model_type": "bert",
              "num_attention_heads": 12,
              "num_hidden_layers": 12,
              "pad_token_id": 0,
              "pooler_fc_size": 768,
              "type_vocab_size": 2,
              "vocab_size": 21128
            }""";

    @TempDir
    Path dir;

    @Test
    void readsHuggingFaceConfigAndKeepsUnknownKeys() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, BERT_BASE_CHINESE);
        BertConfig c = BertConfig.read(file);
        assertThat(c.vocabSize).isEqualTo(21128);
        assertThat(c.hiddenSize).isEqualTo(768);
        assertThat(c.numHiddenLayers).isEqualTo(12);
        assertThat(c.headSize()).isEqualTo(64);
        assertThat(c.layerNormEps).isEqualTo(1e-12);
        assertThat(c.normStyle).isEqualTo(BertConfig.NormStyle.POST);
        assertThat(c.extra).containsKeys("architectures", "pad_token_id", "directionality");
    }

    @Test
    void writeThenReadIsTheSameConfig() throws IOException {
        BertConfig c = BertConfig.builder().vocabSize(100).hiddenSize(32).numHiddenLayers(2).numAttentionHeads(4)
                .intermediateSize(64).normStyle(BertConfig.NormStyle.PRE).initializerRange(0.05).build();
        Path file = dir.resolve("config.json");
        Files.writeString(file, c.toJsonString());
        BertConfig back = BertConfig.read(file);
        assertThat(back).isEqualTo(c);
        assertThat(back.normStyle).isEqualTo(BertConfig.NormStyle.PRE);
        assertThat(back.initializerRange).isEqualTo(0.05);
    }

    @Test
    void defaultsAreTwelvePostNormLayersWithBertInit() {
        BertConfig c = BertConfig.builder().build();
        assertThat(c.numHiddenLayers).isEqualTo(12);
        assertThat(c.normStyle).isEqualTo(BertConfig.NormStyle.POST);
        assertThat(c.initializerRange).isEqualTo(0.02);
        assertThat(c.layerNormEps).isEqualTo(1e-12);
        assertThat(c.hiddenAct).isEqualTo("gelu");
    }

    @Test
    void invalidConfigsFailWithAClearMessage() {
        assertThatThrownBy(() -> BertConfig.builder().hiddenSize(130).numAttentionHeads(4).build())
                .hasMessageContaining("hidden_size 130 is not a multiple of num_attention_heads 4");
        assertThatThrownBy(() -> BertConfig.builder().numHiddenLayers(0).build())
                .hasMessageContaining("num_hidden_layers must be positive");
        assertThatThrownBy(() -> BertConfig.builder().hiddenAct("relu").build())
                .hasMessageContaining("hidden_act \"relu\" is not supported");
        assertThatThrownBy(() -> BertConfig.builder().hiddenDropoutProb(1.5).build())
                .hasMessageContaining("hidden_dropout_prob");
    }

    @Test
    void fileErrorsNameTheFile() throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"hidden_size\": \"big\"}");
        assertThatThrownBy(() -> BertConfig.read(bad)).hasMessageContaining(bad.toString())
                .hasMessageContaining("hidden_size must be an integer");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"hidden_size\": 12");
        assertThatThrownBy(() -> BertConfig.read(broken)).hasMessageContaining(broken.toString())
                .hasMessageContaining("not valid JSON");
        Path style = dir.resolve("style.json");
        Files.writeString(style, "{\"norm_style\": \"sandwich\"}");
        assertThatThrownBy(() -> BertConfig.read(style)).hasMessageContaining("norm_style must be \"post\" or \"pre\"");
    }

    @Test
    void parameterCountIsWhatTheModelRegisters() {
        for (BertConfig c : new BertConfig[] {
            BertConfig.builder().vocabSize(97).hiddenSize(24).numHiddenLayers(3).numAttentionHeads(4)
                    .intermediateSize(40).maxPositionEmbeddings(33).typeVocabSize(3).build(),
            BertConfig.builder().vocabSize(50).hiddenSize(8).numHiddenLayers(1).numAttentionHeads(2)
                    .intermediateSize(8).maxPositionEmbeddings(16).normStyle(BertConfig.NormStyle.PRE).build()}) {
            ParameterStore store = new ParameterStore(DataType.FLOAT);
            new BertModel(c, store, "bert.", true);
            assertThat(c.parameterCount()).isEqualTo(store.count());
        }
    }

    @Test
    void sizesOverTheirBoundsAreRefused() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"vocab_size\": 4194305}");
        assertThatThrownBy(() -> BertConfig.read(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ": vocab_size must be at most 4194304, got 4194305");
        Files.writeString(file, "{\"num_hidden_layers\": 3000000000}");
        assertThatThrownBy(() -> BertConfig.read(file)).hasMessage(file
                + ": num_hidden_layers must be an integer, got 3000000000");
    }

    @Test
    void aModelTooBigForOffHeapMemoryIsRefusedNamingFileSizeAndLimit() throws IOException {
        // every size within its bound; 1024 layers of hidden 4096 are ~206 G parameters, nowhere near any heap
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"num_hidden_layers\": 1024, \"hidden_size\": 4096, \"num_attention_heads\": 64,"
                + " \"intermediate_size\": 16384}");
        long layer = 4L * 4096 * 4096 + 4 * 4096 + 2L * 4096 * 16384 + 16384 + 4096 + 4 * 4096;
        long parameters = (21128L + 512 + 2) * 4096 + 2 * 4096 + 1024 * layer + 4096L * 4096 + 4096;
        assertThatThrownBy(() -> BertConfig.read(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ": the model's " + parameters + " parameters with their gradients: "
                        + parameters * 8 + " bytes, over ND4J's off-heap limit of " + Pointer.maxBytes()
                        + " bytes (javacpp maxbytes: -Dorg.bytedeco.javacpp.maxbytes, by default the -Xmx heap)");
    }

    @Test
    void aTensorOverTwoGibIsRefusedBeforeAnyIntWraps() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"vocab_size\": 4000000, \"hidden_size\": 1024, \"num_attention_heads\": 16}");
        assertThatThrownBy(() -> BertConfig.read(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ": the largest tensor (4096000000 float32 values): 16384000000 bytes, over the "
                        + (Integer.MAX_VALUE - 8L) + "-byte limit of one tensor (a Java array)");
    }

    @Test
    void anOversizedOrNonUtf8FileIsRefusedNamingIt() throws IOException {
        Path huge = dir.resolve("huge.json");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength((16L << 20) + 1); // sparse: no disk, but read whole it would be 16 MiB of NULs
        }
        assertThatThrownBy(() -> BertConfig.read(huge)).isInstanceOf(IOException.class)
                .hasMessage(huge + ": 16777217 bytes, over the 16777216-byte limit of a config file");
        // found by BertConfigFuzzTest (crash-invalid-utf8): a bare MalformedInputException named no file
        Path latin1 = dir.resolve("latin1.json");
        Files.write(latin1, new byte[] {'{', '"', (byte) 0xE9, '"', ':', '1', '}'});
        assertThatThrownBy(() -> BertConfig.read(latin1)).isInstanceOf(IOException.class)
                .hasMessage(latin1 + ": not valid UTF-8");
    }
}
