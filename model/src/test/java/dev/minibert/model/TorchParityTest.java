package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.Vocab;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exports a model directory and runs the independent PyTorch reference ({@code scripts/peer/torch_bert.py})
 * on it with strict HF-name loading: hidden states and pooled output must agree to 1e-5.
 * Skipped (not passed) where {@code /usr/bin/python3} has no torch.
 */
class TorchParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void exportedModelMatchesPyTorchPeer(BertConfig.NormStyle style) throws Exception {
        Path peers = TorchPeer.assumeAvailable();
        BertConfig config = BertConfig.builder().vocabSize(40).hiddenSize(16).numHiddenLayers(2)
                .numAttentionHeads(2).intermediateSize(32).maxPositionEmbeddings(16).normStyle(style).build();
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertModel bert = new BertModel(config, store, "bert.", true);
        // a larger std than BERT's 0.02 so every path (attention, GELU, tanh) carries signal
        Initializer.initialize(store, 0.3, 7);
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = tokens.size(); i < config.vocabSize; i++) {
            tokens.add("t" + i);
        }
        Path dir = tmp.resolve("model");
        ModelDirectory.save(dir, config, Vocab.of(tokens), true, store, Map.of());

        int[][] ids = {{2, 11, 25, 39, 7, 3, 0, 0}, {2, 5, 6, 3, 30, 31, 32, 3}};
        int[][] types = {{0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 1, 1, 1, 1}};
        int[][] mask = {{1, 1, 1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}};
        BertModel.Output ours = bert.forward(ids, types, mask, false);

        Path input = tmp.resolve("input.json");
        Path output = tmp.resolve("output.json");
        JSON.writeValue(input.toFile(), Map.of("input_ids", ids, "token_type_ids", types, "attention_mask", mask));
        Path script = tmp.resolve("torch_forward.py");
        try (InputStream in = getClass().getResourceAsStream("torch_forward.py")) {
            Files.copy(in, script);
        }
        run(TorchPeer.PYTHON, script.toString(), peers.toString(), dir.toString(), input.toString(), output.toString());
        JsonNode theirs = JSON.readTree(output.toFile());

        double worst = 0;
        for (int b = 0; b < ids.length; b++) {
            for (int t = 0; t < ids[b].length; t++) {
                if (mask[b][t] == 0) {
                    continue; // padded positions are not outputs anyone reads
                }
                for (int h = 0; h < config.hiddenSize; h++) {
                    worst = Math.max(worst, Math.abs(ours.lastHiddenState().getDouble(b, t, h)
                            - theirs.get("last_hidden_state").get(b).get(t).get(h).asDouble()));
                }
            }
            for (int h = 0; h < config.hiddenSize; h++) {
                worst = Math.max(worst, Math.abs(ours.poolerOutput().getDouble(b, h)
                        - theirs.get("pooler_output").get(b).get(h).asDouble()));
            }
        }
        INDArray hidden = ours.lastHiddenState();
        assertThat(hidden.getDouble(0, 1, 0)).isNotZero();
        assertThat(worst).as("max |ours - torch|").isLessThanOrEqualTo(1e-5);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("peer failed:\n" + log).isZero();
    }
}
