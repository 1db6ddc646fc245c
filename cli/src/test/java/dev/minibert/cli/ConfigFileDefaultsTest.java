package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigFileDefaultsTest {
    @TempDir
    Path tmp;

    private PretrainCommand parse(String... args) {
        CommandLine cl = Minibert.commandLine(args);
        cl.parseArgs(args);
        return cl.getSubcommands().get("pretrain").getCommand();
    }

    @Test
    void trainingConfigFileSuppliesDefaultsAndFlagsWin() throws IOException {
        Path config = tmp.resolve("train.json");
        Files.writeString(config, "{\"batch-size\": 7, \"max-seq-len\": 48, \"learning-rate\": 0.002, \"whole-word-mask\": true}");
        PretrainCommand cmd = parse("pretrain", "--corpus", "c.txt", "--out", "o", "--train-config", config.toString(),
                "--max-seq-len", "64");
        assertThat(cmd.batchSize).isEqualTo(7);
        assertThat(cmd.maxSeqLen).as("the flag wins over the file").isEqualTo(64);
        assertThat(cmd.learningRate).isEqualTo(0.002);
        assertThat(cmd.wholeWordMask).isTrue();
        assertThat(cmd.logEvery).as("untouched options keep their defaults").isEqualTo(10);
    }

    @Test
    void unknownKeysAndBadFilesAreUsageErrors() throws IOException {
        Path typo = tmp.resolve("typo.json");
        Files.writeString(typo, "{\"batch_size\": 7}");
        assertThatThrownBy(() -> Minibert.commandLine("pretrain", "--train-config", typo.toString()))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--batch_size");
        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\"batch-size\": ");
        assertThatThrownBy(() -> Minibert.commandLine("pretrain", "--train-config", broken.toString()))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("broken.json");
    }
}
