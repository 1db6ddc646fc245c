package dev.minibert.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cutting metrics.jsonl back to a checkpoint's step: a torn last line is dropped, other damage is an error. */
class MetricsLogTest {
    private static final String ROWS = "{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"loss\":2.0}\n{\"step\":2,\"eval_loss\":2.2}\n"
            + "{\"step\":3,\"loss\":1.5}\n";

    @TempDir
    Path dir;

    @Test
    void rowsPastTheStepAndATornLastLineAreDropped() throws IOException {
        Path file = Files.writeString(dir.resolve("metrics.jsonl"), ROWS + "{\"step\":4,\"lo", StandardCharsets.UTF_8);
        MetricsLog.cutBack(file, 2);
        assertThat(Files.readString(file)).isEqualTo(
                "{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"loss\":2.0}\n{\"step\":2,\"eval_loss\":2.2}\n");
        try (MetricsLog log = new MetricsLog(file)) {
            log.write(java.util.Map.of("step", 3));
        }
        assertThat(Files.readAllLines(file)).hasSize(4).last().isEqualTo("{\"step\":3}");
    }

    @Test
    void aDamagedLineBeforeTheLastIsAnErrorNamingFileAndLineThatChangesNothing() throws IOException {
        String damaged = ROWS.replace("{\"step\":2,\"loss\":2.0}", "{\"step\":2,\u0000\u0000");
        Path file = Files.writeString(dir.resolve("metrics.jsonl"), damaged, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> MetricsLog.cutBack(file, 3)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ":2: not a JSON row");
        assertThat(Files.readString(file)).isEqualTo(damaged);
    }
}
