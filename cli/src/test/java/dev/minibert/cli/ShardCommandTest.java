package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minibert shard} then {@code pretrain --shards} on the command line: exit codes and one-line refusals. */
class ShardCommandTest {
    private static final List<String> DOCUMENTS = List.of("the cat sat on the mat", "the dog ran very fast",
            "the cat ran on the mat", "the dog sat very slow", "the mat sat on the cat", "very fast the dog ran");

    @TempDir
    Path dir;

    private void writeInputs() throws IOException {
        Files.writeString(dir.resolve("corpus.txt"), String.join("\n\n", DOCUMENTS) + "\n", StandardCharsets.UTF_8);
        TinyModelFiles.vocab().write(dir.resolve("vocab.txt"));
        Files.writeString(dir.resolve("config.json"), TinyModelFiles.config().toJsonString(), StandardCharsets.UTF_8);
    }

    private String[] pretrain(String data, Path source, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", data, source.toString(), "--vocab",
                dir.resolve("vocab.txt").toString(), "--config", dir.resolve("config.json").toString(), "--out",
                dir.resolve("run").toString(), "--max-steps", "2", "--batch-size", "2", "--max-seq-len", "12",
                "--threads", "1", "--warmup-steps", "0"));
        for (int i = 0; i < more.length; i++) { // an option already there takes the new value
            int at = a.indexOf(more[i]);
            if (at >= 0) {
                a.set(at + 1, more[++i]);
            } else {
                a.add(more[i]);
            }
        }
        return a.toArray(String[]::new);
    }

    @Test
    void shardThenPretrainFromShardsAndRefusalsInOneLine() throws IOException {
        writeInputs();
        Path shards = dir.resolve("shards");
        CliRun shard = CliRun.of("", "shard", "--corpus", dir.resolve("corpus.txt").toString(), "--vocab",
                dir.resolve("vocab.txt").toString(), "--max-seq-len", "12", "--out", shards.toString());
        assertThat(shard.exitCode()).as(shard.stderr()).isZero();
        assertThat(shard.stderr()).contains("training and", "held-out instances into 1 shard(s) in " + shards);

        CliRun wrongLength = CliRun.of("", pretrain("--shards", shards, "--max-seq-len", "10"));
        assertThat(wrongLength.exitCode()).as(wrongLength.stderr()).isEqualTo(1);
        assertThat(errorLines(wrongLength)).containsExactly("minibert pretrain: error: "
                + shards.resolve("manifest.json") + ": the shards were made with --max-seq-len 12, this run has "
                + "--max-seq-len 10; pass the same value or re-run minibert shard");
        assertThat(dir.resolve("run")).doesNotExist();

        CliRun trained = CliRun.of("", pretrain("--shards", shards, "--verify-shards"));
        assertThat(trained.exitCode()).as(trained.stderr()).isZero();
        assertThat(dir.resolve("run/model/model.safetensors")).isRegularFile();

        Path idx = shards.resolve("train-00000.idx");
        try (FileChannel ch = FileChannel.open(idx, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1);
        }
        CliRun truncated = CliRun.of("", pretrain("--shards", shards, "--overwrite"));
        assertThat(truncated.exitCode()).as(truncated.stderr()).isEqualTo(1);
        assertThat(errorLines(truncated)).singleElement().asString()
                .startsWith("minibert pretrain: error: " + idx + ": ").contains("truncated");
    }

    /** shard --overwrite deletes the earlier shards only once the new ones are written: a failed run keeps them. */
    @Test
    void aShardRunFailingOnItsCorpusWithOverwriteKeepsTheEarlierShards() throws IOException {
        writeInputs();
        Path shards = dir.resolve("shards");
        List<String> shard = new ArrayList<>(List.of("shard", "--corpus", dir.resolve("corpus.txt").toString(),
                "--vocab", dir.resolve("vocab.txt").toString(), "--max-seq-len", "12", "--out", shards.toString()));
        assertThat(CliRun.of("", shard.toArray(String[]::new)).exitCode()).isZero();
        byte[] manifest = Files.readAllBytes(shards.resolve("manifest.json"));
        Path bad = Files.writeString(dir.resolve("bad.txt"), "the cat\n" + "x".repeat(65) + "\n");
        shard.set(shard.indexOf("--corpus") + 1, bad.toString());
        shard.add("--overwrite");

        System.setProperty("minibert.maxLineBytes", "64");
        CliRun failed;
        try {
            failed = CliRun.of("", shard.toArray(String[]::new));
        } finally {
            System.clearProperty("minibert.maxLineBytes");
        }

        assertThat(failed.exitCode()).as(failed.stderr()).isEqualTo(1);
        assertThat(errorLines(failed)).singleElement().asString().contains(bad + ":2: line longer than 64 bytes");
        assertThat(shards.resolve("manifest.json")).hasBinaryContent(manifest);
        assertThat(shards.resolve("train-00000.bin")).isRegularFile();
    }

    @Test
    void pretrainNeedsExactlyOneOfCorpusAndShards() throws IOException {
        writeInputs();
        CliRun both = CliRun.of("", pretrain("--corpus", dir.resolve("corpus.txt"), "--shards", dir.resolve("x").toString()));
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("give --corpus or --shards (one of them)");
        CliRun neither = CliRun.of("", "pretrain", "--vocab", dir.resolve("vocab.txt").toString(), "--config",
                dir.resolve("config.json").toString(), "--out", dir.resolve("run").toString());
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(dir.resolve("run")).doesNotExist();
    }

    @Test
    void pretrainOnSparkRefusesAnUnreachableMasterInOneLineAndWritesNothing() throws IOException {
        writeInputs();
        CliRun unreachable = CliRun.of("", pretrain("--shards", dir.resolve("shards"), "--spark", "spark://127.0.0.1:1"));
        assertThat(unreachable.exitCode()).as(unreachable.stderr()).isEqualTo(1);
        assertThat(errorLines(unreachable)).singleElement().asString().startsWith("minibert pretrain: error: --spark "
                + "spark://127.0.0.1:1: no Spark master answers at 127.0.0.1:1 (");
        assertThat(dir.resolve("run")).doesNotExist();
        CliRun noShards = CliRun.of("", pretrain("--corpus", dir.resolve("corpus.txt"), "--spark", "local[2]"));
        assertThat(noShards.exitCode()).isEqualTo(2);
        assertThat(noShards.stderr()).contains("--spark needs --shards (minibert shard)");
        CliRun noSpark = CliRun.of("", pretrain("--corpus", dir.resolve("corpus.txt"), "--workers", "4"));
        assertThat(noSpark.exitCode()).isEqualTo(2);
        assertThat(noSpark.stderr()).contains("--workers needs --spark MASTER");
        assertThat(dir.resolve("run")).doesNotExist();
    }

    /** The lines of the failure (picocli's error and anything else not from the logger or the JVM). */
    private static List<String> errorLines(CliRun run) {
        return run.stderr().lines().filter(l -> l.startsWith("minibert") || l.startsWith("\tat ")).toList();
    }
}
