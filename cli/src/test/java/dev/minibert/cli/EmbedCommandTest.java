package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BertModel;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Encoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code minibert embed}: one JSON line per input line, equal to an in-memory forward of that line alone. */
class EmbedCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void outputsHiddenStatesAndPooledOutputOfEachLine() throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertModel bert = new BertModel(TinyModelFiles.config(), store, "bert.", true);
        Initializer.initialize(store, 0.3, 9); // larger than BERT's 0.02 so that outputs differ visibly per token
        Path model = dir.resolve("model");
        ModelDirectory.save(model, TinyModelFiles.config(), TinyModelFiles.vocab(), true, store, Map.of());

        // batch size 2 over 3 lines of different lengths: padding and a partial last batch
        List<String> lines = List.of("The cat sat on the mat", "dog ran", "very very slow cat zebra");
        CliRun run = CliRun.of(String.join("\n", lines) + "\n", "embed", "--model", model.toString(), "--batch-size", "2");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<String> out = run.stdout().lines().toList();
        assertThat(out).hasSize(lines.size());

        BertTokenizer tokenizer = new BertTokenizer(TinyModelFiles.vocab(), true);
        EncodeOptions options = new EncodeOptions(16, EncodeOptions.Truncation.LONGEST_FIRST, EncodeOptions.Padding.NONE);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode row = JSON.readTree(out.get(i));
            Encoding enc = tokenizer.encode(lines.get(i), null, options);
            int t = enc.inputIds().length;
            assertThat(JSON.convertValue(row.get("input_ids"), int[].class)).isEqualTo(enc.inputIds());
            BertModel.Output expected = bert.forward(new int[][] {enc.inputIds()}, new int[][] {enc.tokenTypeIds()},
                    new int[][] {enc.attentionMask()}, false);
            INDArray hidden = expected.lastHiddenState();
            assertThat(row.get("last_hidden_state")).hasSize(t);
            for (int p = 0; p < t; p++) {
                assertThat(row.get("last_hidden_state").get(p)).hasSize(16);
                for (int k = 0; k < 16; k++) {
                    assertThat(row.get("last_hidden_state").get(p).get(k).asDouble()).as("line %d token %d dim %d", i, p, k)
                            .isCloseTo(hidden.getDouble(0, p, k), within(1e-4));
                }
            }
            assertThat(row.get("pooler_output")).hasSize(16);
            for (int k = 0; k < 16; k++) {
                assertThat(row.get("pooler_output").get(k).asDouble()).isCloseTo(expected.poolerOutput().getDouble(0, k),
                        within(1e-4));
            }
        }
        assertThat(JSON.readTree(out.get(2)).get("input_ids").get(5).asInt()).as("zebra is unknown")
                .isEqualTo(TinyModelFiles.vocab().unkId());
    }

    @Test
    void missingModelDirectoryExitsOneNamingIt() {
        Path model = dir.resolve("nowhere");
        CliRun run = CliRun.of("hello\n", "embed", "--model", model.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains(model.toString()).doesNotContain("\tat ");
        assertThat(run.stdout()).isEmpty();
    }
}
