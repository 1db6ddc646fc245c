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
        assertOverlongStdinLineRefused("tokenize", "--vocab", vocab.toString());
    }

    @Test
    void embedStopsAtAnOverlongStdinLineNamingIt() throws IOException {
        Path model = TinySavedModels.encoder(dir.resolve("encoder"));
        assertOverlongStdinLineRefused("embed", "--model", model.toString(), "--batch-size", "1");
    }

    /**
     * {@code minibert COMMAND ARGS} fed "ok" and then a line one byte over a 64-byte limit on stdin: exit 1, one line
     * naming {@code <stdin>:2}, and on stdout at most the first line's output, nothing of the second.
     */
    static void assertOverlongStdinLineRefused(String command, String... args) {
        System.setProperty("minibert.maxLineBytes", "64");
        try {
            String[] all = new String[args.length + 1];
            all[0] = command;
            System.arraycopy(args, 0, all, 1, args.length);
            CliRun run = CliRun.of("ok\n" + "x".repeat(65) + "\n", all);
            assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
            assertThat(run.stdout().lines()).hasSizeLessThanOrEqualTo(1);
            assertThat(run.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator")))
                    .containsExactly("minibert " + command + ": error: <stdin>:2: line longer than 64 bytes (the limit; "
                            + "raise it with -Dminibert.maxLineBytes=BYTES)");
        } finally {
            System.clearProperty("minibert.maxLineBytes");
        }
    }
}
