package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile inputs through the commands: exit 1, one line naming the file, no stack trace, nothing written. */
class HostileInputCommandTest {
    @TempDir
    Path dir;

    @Test
    void initWithAConfigTooBigForMemoryExitsOneWritingNothing() throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), "{\"num_hidden_layers\": 1024, \"hidden_size\": 4096,"
                + " \"num_attention_heads\": 64, \"intermediate_size\": 16384}", StandardCharsets.UTF_8);
        Path vocab = dir.resolve("vocab.txt");
        TinyModelFiles.vocab().write(vocab);
        Path out = dir.resolve("model");
        CliRun run = CliRun.of("", "init", "--config", config.toString(), "--vocab", vocab.toString(),
                "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator"))).singleElement()
                .asString().startsWith("minibert init: error: " + config + ": the model's ")
                .contains("over ND4J's off-heap limit");
        assertThat(out).doesNotExist();
        try (var left = Files.list(dir)) {
            assertThat(left).containsExactlyInAnyOrder(config, vocab);
        }
    }

    @Test
    void tokenizeStopsAtAnOverlongStdinLineNamingIt() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        TinyModelFiles.vocab().write(vocab);
        System.setProperty("minibert.maxLineBytes", "64");
        try {
            CliRun run = CliRun.of("ok\n" + "x".repeat(65) + "\n", "tokenize", "--vocab", vocab.toString());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.stdout().lines()).hasSize(1); // the line before it, and nothing of it
            assertThat(run.stderr().strip()).isEqualTo("minibert tokenize: error: <stdin>:2: line longer than 64 bytes"
                    + " (the limit; raise it with -Dminibert.maxLineBytes=BYTES)");
        } finally {
            System.clearProperty("minibert.maxLineBytes");
        }
    }
}
