package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
