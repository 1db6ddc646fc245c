package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.api.Finetune;
import dev.minibert.api.Pretrain;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The library's builders, given only the required options, describe the run the commands' defaults describe. */
class LibraryDefaultsTest {
    private static <T> T parsed(Class<T> type, String... args) {
        CommandLine cl = Minibert.commandLine();
        CommandLine.ParseResult result = cl.parseArgs(args);
        return type.cast(result.subcommand().commandSpec().userObject());
    }

    @Test
    void pretrainBuilderDefaultsAreTheCommands() {
        PretrainCommand command = parsed(PretrainCommand.class, "pretrain", "--corpus", "c.txt", "--out", "run");
        assertThat(Pretrain.corpus(List.of(Path.of("c.txt"))).out(Path.of("run")).options()).isEqualTo(command.options());
    }

    @Test
    void finetuneBuilderDefaultsAreTheCommands() {
        FinetuneCommand command = parsed(FinetuneCommand.class, "finetune", "--model", "m", "--train", "t.csv", "--out", "o");
        assertThat(Finetune.model(Path.of("m")).train(Path.of("t.csv")).out(Path.of("o")).options())
                .isEqualTo(command.options());
        FinetuneCommand steps = parsed(FinetuneCommand.class, "finetune", "--model", "m", "--train", "t.csv", "--out", "o",
                "--warmup-steps", "7");
        assertThat(Finetune.model(Path.of("m")).train(Path.of("t.csv")).out(Path.of("o")).warmupSteps(7).options())
                .as("warmup steps replace the ratio").isEqualTo(steps.options());
    }
}
