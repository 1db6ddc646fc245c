package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.BertConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code minibert pretrain} itself prints the short-warmup warning ({@code WarmupWarningTest} checks its rule): for a
 * post-norm model from scratch given less warmup than the measured 90 steps, not once it gets them. The runs are 91
 * steps of the tiny model, as the warning is only for runs long enough to have warmed up for 90.
 */
class PretrainWarmupWarningTest {
    private static final String WARNING = "warmup of 0 steps for a post-norm model from scratch";

    @TempDir
    Path dir;

    private CliRun pretrain(String out, String... more) throws IOException {
        Path corpus = TinySavedModels.corpus(dir.resolve("corpus.txt"));
        BertConfig postNorm = TinySavedModels.config().toBuilder().normStyle(BertConfig.NormStyle.POST).build();
        Path config = Files.writeString(dir.resolve("config.json"), postNorm.toJsonString());
        Path vocab = dir.resolve("vocab.txt");
        TinyModelFiles.vocab().write(vocab);
        String[] args = {"pretrain", "--corpus", corpus.toString(), "--config", config.toString(), "--vocab",
                vocab.toString(), "--out", dir.resolve(out).toString(), "--max-steps", "91", "--batch-size", "1",
                "--max-seq-len", "8", "--eval-fraction", "0", "--log-every", "100", "--save-every", "1000",
                "--threads", "1"};
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return CliRun.of("", all);
    }

    @Test
    void aPostNormModelFromScratchWithoutWarmupIsWarned() throws IOException {
        CliRun run = pretrain("none");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr().lines().filter(l -> l.contains(WARNING)).toList()).singleElement()
                .satisfies(line -> assertThat(line).contains("WARN", "give --warmup-steps 90 or more"));
    }

    @Test
    void theWarmupItAsksForSilencesIt() throws IOException {
        CliRun run = pretrain("enough", "--warmup-steps", "90");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("pretrained 91 steps").doesNotContain("post-norm model from scratch");
    }
}
