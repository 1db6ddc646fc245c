package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.api.Finetune;
import dev.minibert.api.Pretrain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The library's builders, given only the required options, describe the run the commands' defaults describe; and
 * {@code pretrain --recipe} fills the options that neither a flag nor the training config gives.
 */
class LibraryDefaultsTest {
    private static <T> T parsed(Class<T> type, String... args) {
        CommandLine cl = Minibert.commandLine(args);
        CommandLine.ParseResult result = cl.parseArgs(args);
        return type.cast(result.subcommand().commandSpec().userObject());
    }

    @Test
    void pretrainBuilderDefaultsAreTheCommands() {
        PretrainCommand command = parsed(PretrainCommand.class, "pretrain", "--corpus", "c.txt", "--out", "run");
        assertThat(Pretrain.corpus(List.of(Path.of("c.txt"))).out(Path.of("run")).options()).isEqualTo(command.options());
    }

    @Test
    void pretrainBuilderOnShardsIsTheCommandOnShards() {
        PretrainCommand command = parsed(PretrainCommand.class, "pretrain", "--shards", "s", "--verify-shards",
                "--out", "run");
        assertThat(Pretrain.shards(Path.of("s")).verifyShards(true).out(Path.of("run")).options())
                .isEqualTo(command.options());
    }

    @Test
    void theQuickstartRecipeFillsWhatNoFlagGives() {
        PretrainCommand command = parsed(PretrainCommand.class, "pretrain", "--corpus", "c.txt", "--out", "run",
                "--recipe", "quickstart", "--learning-rate", "5e-4");
        assertThat(command.options()).isEqualTo(Pretrain.corpus(List.of(Path.of("c.txt"))).out(Path.of("run"))
                .learningRate(5e-4).warmupSteps(90).decayRatio(0.2).batchSize(32).maxSeqLen(64).options());
    }

    @Test
    void theRecipeIsPrintedAtStart(@TempDir Path dir) {
        CliRun run = CliRun.of("", "pretrain", "--corpus", dir.resolve("missing.txt").toString(), "--out",
                dir.resolve("run").toString(), "--recipe", "quickstart", "--threads", "1");
        assertThat(run.stderr()).contains("pretrain: recipe quickstart: --learning-rate 1e-3 --warmup-steps 90 "
                + "--decay-ratio 0.2 --batch-size 32 --max-seq-len 64");
        assertThat(run.exitCode()).as("no --config: refused after the line").isEqualTo(1);
        assertThat(CliRun.of("", "pretrain", "--corpus", "c", "--out", "o", "--recipe", "fast").exitCode())
                .as("an unknown recipe is a usage error").isEqualTo(2);
    }

    @Test
    void aTrainingConfigWinsOverTheRecipe(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("train.json"), "{\"warmup-steps\": 200}");
        PretrainCommand command = parsed(PretrainCommand.class, "pretrain", "--corpus", "c.txt", "--out", "run",
                "--recipe=quickstart", "--train-config", config.toString());
        assertThat(command.options()).isEqualTo(Pretrain.corpus(List.of(Path.of("c.txt"))).out(Path.of("run"))
                .learningRate(1e-3).warmupSteps(200).decayRatio(0.2).batchSize(32).maxSeqLen(64).options());
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
