package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.tokenizer.Vocab;
import dev.minibert.tokenizer.WordpieceTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code minibert vocab train}: a folder of corpus files in, the trainer's vocab.txt out. */
class VocabCommandTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Minibert.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void trainsFromAFolderInSortedFileOrder() throws IOException {
        Path corpus = Files.createDirectories(dir.resolve("corpus/sub"));
        Files.writeString(corpus.resolve("b.txt"), "hug hug hug pug pun pun 中文 训练\n");
        Files.writeString(corpus.getParent().resolve("a.txt"), "bun hugs hugs running runner\n");
        Path out = dir.resolve("vocab.txt");
        assertThat(run("vocab", "train", "--corpus", corpus.getParent().toString(), "--vocab-size", "40",
                "--min-frequency", "1", "--out", out.toString())).isZero();
        Vocab expected = new WordpieceTrainer(40, 1, 10000, true)
                .train(List.of(corpus.getParent().resolve("a.txt"), corpus.resolve("b.txt")), b -> { });
        assertThat(Vocab.read(out).tokens()).isEqualTo(expected.tokens()).hasSize(40);
    }

    @Test
    void failuresExitOneOrTwo() throws IOException {
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'a', '\n', (byte) 0xFE, '\n'});
        assertThat(run("vocab", "train", "--corpus", bad.toString(), "--vocab-size", "40", "--out",
                dir.resolve("v.txt").toString())).isEqualTo(1);
        assertThat(err.toString()).contains(bad + ":2: invalid UTF-8");
        assertThat(run("vocab", "train", "--corpus", dir.resolve("missing").toString(), "--vocab-size", "40",
                "--out", dir.resolve("v.txt").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no such file or folder");
        assertThat(run("vocab", "train", "--vocab-size", "40")).isEqualTo(2);
        assertThat(Files.exists(dir.resolve("v.txt"))).isFalse();
    }
}
