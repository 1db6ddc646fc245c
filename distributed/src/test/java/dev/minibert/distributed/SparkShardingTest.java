package dev.minibert.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.pretrain.InstanceSettings;
import dev.minibert.pretrain.ShardManifest;
import dev.minibert.pretrain.Sharding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The Spark sharding job writes the very bytes {@code minibert shard} writes. */
class SparkShardingTest {
    private static JavaSparkContext spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkApplication.start("local[2]", "SparkShardingTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * Three files, one of them empty and one with a line of invalid UTF-8 (skipped and counted): the held-out coin and
     * the packing draw from one seeded stream across all files, which only the driver's sequential pass keeps.
     */
    @ParameterizedTest(name = "whole-word-mask {0}")
    @ValueSource(booleans = {false, true})
    void sparkShardsAreByteIdenticalToMinibertShard(boolean wholeWord) throws IOException {
        ShardedCorpus corpus = new ShardedCorpus(tmp).write();
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "");
        byte[] bad = {'x', (byte) 0xff, '\n'}; // not UTF-8
        Path withBadLine = Files.write(tmp.resolve("c.txt"), concat(Files.readAllBytes(corpus.corpus("a.txt")), bad,
                Files.readAllBytes(corpus.corpus("b.txt"))));
        List<Path> files = List.of(corpus.corpus("a.txt"), empty, withBadLine, corpus.corpus("b.txt"));
        InstanceSettings settings = new InstanceSettings(ShardedCorpus.MAX_SEQ_LEN, ShardedCorpus.SHORT_SEQ_PROB,
                wholeWord, false, true, true, ShardedCorpus.SEED, ShardedCorpus.EVAL_FRACTION);
        ShardManifest expected = Sharding.run(new Sharding.Options(files, corpus.vocab(), settings, tmp.resolve("here"), 64));
        ShardManifest actual = SparkSharding.shardOn(spark, new Sharding.Options(files, corpus.vocab(), settings,
                tmp.resolve("spark"), 64));
        assertThat(expected.train()).as("training shards").hasSizeGreaterThan(1);
        assertThat(expected.counts().heldOut()).as("held-out instances").isPositive();
        assertThat(expected.counts().skippedLines()).as("skipped lines").isEqualTo(1);
        assertThat(actual.counts()).isEqualTo(expected.counts());
        List<Path> here = files(tmp.resolve("here"));
        assertThat(files(tmp.resolve("spark"))).isEqualTo(here);
        for (Path file : here) {
            assertThat(Files.readAllBytes(tmp.resolve("spark").resolve(file))).as(file.toString())
                    .isEqualTo(Files.readAllBytes(tmp.resolve("here").resolve(file)));
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return new ArrayList<>(walk.filter(Files::isRegularFile).map(dir::relativize).sorted().toList());
        }
    }
}
