package dev.minibert.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Two pretraining runs' folders that must hold the same run, bit for bit. */
final class SameRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SameRun() {
    }

    /** The final model and the optimizer state of the last step's checkpoint, byte for byte; then the losses. */
    static void assertSameRun(Path expected, Path actual, int steps) throws IOException {
        for (String file : List.of("model/model.safetensors", "checkpoints/checkpoint-" + steps + "/optimizer.safetensors")) {
            assertThat(Files.readAllBytes(actual.resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(expected.resolve(file)));
        }
        assertSameLosses(expected, actual, steps);
    }

    /** Every step's loss, gradient norm and accuracy, as metrics.jsonl's text holds them. */
    static void assertSameLosses(Path expected, Path actual, int steps) throws IOException {
        List<JsonNode> expectedRows = rows(expected);
        List<JsonNode> actualRows = rows(actual);
        assertThat(actualRows).hasSize(steps);
        for (int i = 0; i < steps; i++) {
            for (String key : List.of("loss", "grad_norm", "masked_accuracy")) {
                assertThat(actualRows.get(i).get(key).asText()).as("%s of step %d", key, i + 1)
                        .isEqualTo(expectedRows.get(i).get(key).asText());
            }
        }
    }

    /** The run's step rows (those with a loss) in metrics.jsonl. */
    static List<JsonNode> rows(Path run) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode row = JSON.readTree(line);
            if (row.has("loss")) {
                rows.add(row);
            }
        }
        return rows;
    }
}
