package dev.minibert.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.io.OutputMarker;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code minibert shard} and {@code pretrain --shards}: the same instances, losses and weights as from the corpus. */
class ShardingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Small enough that the tiny corpus spreads over several shards. */
    private static final long TOKENS_PER_SHARD = 24;

    @TempDir
    Path tmp;

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @BeforeEach
    void corpus() throws IOException {
        TinyCorpus.write(tmp, 0.0);
    }

    private InstanceSettings settings(int maxSeqLen, boolean wholeWord) {
        return new InstanceSettings(maxSeqLen, 0.3, wholeWord, false, false, true, 7, 0.3);
    }

    private Path shard(Path out, InstanceSettings settings) throws IOException {
        Sharding.run(new Sharding.Options(List.of(tmp.resolve("corpus.txt")), tmp.resolve("vocab.txt"), settings, out,
                TOKENS_PER_SHARD));
        return out;
    }

    @ParameterizedTest(name = "whole-word-mask {0}")
    @ValueSource(booleans = {false, true})
    void shardsHoldExactlyTheInstancesBuiltFromTheCorpusInOrder(boolean wholeWord) throws IOException {
        InstanceSettings settings = settings(16, wholeWord);
        List<Instance> train = new ArrayList<>();
        List<Instance> heldOut = new ArrayList<>();
        new CorpusInstances(List.of(tmp.resolve("corpus.txt")), settings, Vocab.read(tmp.resolve("vocab.txt")))
                .stream((instance, held) -> (held ? heldOut : train).add(instance));
        ShardFolder shards = ShardFolder.open(shard(tmp.resolve("shards"), settings), true);
        assertThat(shards.manifest().train()).as("training shards").hasSizeGreaterThan(1);
        assertThat(heldOut).as("held-out instances").isNotEmpty();
        assertSame(shards.train(), train);
        assertSame(shards.heldOut(), heldOut);
    }

    private static void assertSame(List<Instance> actual, List<Instance> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            Instance a = actual.get(i);
            Instance e = expected.get(i);
            assertThat(a.inputIds()).as("ids of %d", i).isEqualTo(e.inputIds());
            assertThat(a.tokenTypeIds()).as("types of %d", i).isEqualTo(e.tokenTypeIds());
            assertThat(a.wordStart()).as("word starts of %d", i).isEqualTo(e.wordStart());
            assertThat(a.isRandomNext()).as("random next of %d", i).isEqualTo(e.isRandomNext());
        }
    }

    /** Dropout on and a held-out split, so the order, masks, dropout seeds and evaluation all have to agree. */
    @ParameterizedTest(name = "whole-word-mask {0}")
    @ValueSource(booleans = {false, true})
    void pretrainingFromShardsLogsTheLossesAndSavesTheWeightsOfPretrainingFromTheCorpus(boolean wholeWord)
            throws IOException {
        TinyCorpus.write(tmp, 0.1); // dropout on
        Path shards = shard(tmp.resolve("shards"), settings(16, wholeWord));
        Pretraining.run(options(tmp.resolve("from-corpus"), null, 16, wholeWord), m -> { });
        Pretraining.run(options(tmp.resolve("from-shards"), shards, 16, wholeWord), m -> { });
        List<JsonNode> corpusRows = rows(tmp.resolve("from-corpus/metrics.jsonl"));
        List<JsonNode> shardRows = rows(tmp.resolve("from-shards/metrics.jsonl"));
        assertThat(corpusRows.stream().filter(r -> r.has("loss")).count()).as("training rows").isEqualTo(6);
        assertThat(corpusRows.stream().filter(r -> r.has("eval_loss")).count()).as("evaluation rows").isEqualTo(2);
        assertThat(shardRows.size()).isEqualTo(corpusRows.size());
        for (int i = 0; i < corpusRows.size(); i++) {
            for (String key : List.of("step", "loss", "masked_accuracy", "masked_tokens", "grad_norm", "eval_loss")) {
                assertThat(shardRows.get(i).path(key).asText()).as("%s in row %d", key, i)
                        .isEqualTo(corpusRows.get(i).path(key).asText());
            }
        }
        assertThat(Files.readAllBytes(tmp.resolve("from-shards/model/model.safetensors")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("from-corpus/model/model.safetensors")));
    }

    private Pretraining.Options options(Path out, Path shards, int maxSeqLen, boolean wholeWord) {
        return options(out, shards, maxSeqLen, wholeWord, 6, false);
    }

    private Pretraining.Options options(Path out, Path shards, int maxSeqLen, boolean wholeWord, long steps,
                                        boolean resume) {
        Pretraining.Builder o = TinyCorpus.builder(tmp, out, steps, 1e-3, 3, resume, 3).maxSeqLen(maxSeqLen)
                .wholeWordMask(wholeWord).evalFraction(0.3).shortSeqProb(0.3).shards(shards).verifyShards(true);
        return (shards == null ? o : o.corpus(null)).build();
    }

    @Test
    void shardingTheSameCorpusTwiceWritesByteIdenticalFolders() throws IOException {
        Path a = shard(tmp.resolve("a"), settings(16, false));
        Path b = shard(tmp.resolve("b"), settings(16, false));
        List<String> names = names(a);
        assertThat(names).contains(ShardManifest.FILE, OutputMarker.FILE, "train-00000.bin", "train-00001.idx");
        assertThat(names(b)).isEqualTo(names);
        for (String name : names) {
            assertThat(Files.readAllBytes(b.resolve(name))).as(name).isEqualTo(Files.readAllBytes(a.resolve(name)));
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".minibert.lock")).sorted().toList();
        }
    }

    @Test
    void aTruncatedShardIsRefusedNamingItAndNoRunFolderIsMade() throws IOException {
        Path shards = shard(tmp.resolve("shards"), settings(16, false));
        Path bin = shards.resolve("train-00001.bin");
        try (FileChannel ch = FileChannel.open(bin, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 2);
        }
        Path out = tmp.resolve("run");
        assertThatThrownBy(() -> Pretraining.run(options(out, shards, 16, false), m -> { }))
                .hasMessageStartingWith(bin + ": ").hasMessageContaining("truncated");
        assertThat(out).doesNotExist();
    }

    @Test
    void aChangedByteIsFoundBySha256WhenVerifying() throws IOException {
        Path shards = shard(tmp.resolve("shards"), settings(16, false));
        Path idx = shards.resolve("held-out-00000.idx");
        byte[] bytes = Files.readAllBytes(idx);
        bytes[bytes.length - 1] ^= 1; // a word-start bit: still a well-formed shard
        Files.write(idx, bytes);
        assertThat(ShardFolder.open(shards, false).heldOut()).isNotEmpty();
        assertThatThrownBy(() -> ShardFolder.open(shards, true))
                .hasMessageStartingWith(idx + ": sha256 differs");
    }

    @Test
    void anotherVocabularyOrMaxSeqLenOrWholeWordMaskIsRefusedNamingTheManifestAndTheOption() throws IOException {
        Path shards = shard(tmp.resolve("shards"), settings(16, false));
        Path manifest = shards.resolve(ShardManifest.FILE);
        Path out = tmp.resolve("run");
        assertThatThrownBy(() -> Pretraining.run(options(out, shards, 12, false), m -> { }))
                .hasMessage(manifest + ": the shards were made with --max-seq-len 16, this run has --max-seq-len 12; "
                        + "pass the same value or re-run minibert shard");
        assertThatThrownBy(() -> Pretraining.run(options(out, shards, 16, true), m -> { }))
                .hasMessageStartingWith(manifest + ": the shards were made with --whole-word-mask false");
        List<String> vocab = new ArrayList<>(Files.readAllLines(tmp.resolve("vocab.txt")));
        vocab.set(vocab.size() - 1, "改");
        Files.write(tmp.resolve("vocab.txt"), vocab, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Pretraining.run(options(out, shards, 16, false), m -> { }))
                .hasMessageStartingWith(manifest + ": the shards were made with another vocabulary")
                .hasMessageContaining(tmp.resolve("vocab.txt").toString());
        assertThat(out).doesNotExist();
    }

    @Test
    void aManifestOfAnotherFormatVersionIsRefused() throws IOException {
        Path shards = shard(tmp.resolve("shards"), settings(16, false));
        Path manifest = shards.resolve(ShardManifest.FILE);
        Files.writeString(manifest, Files.readString(manifest).replace("\"format_version\" : 1", "\"format_version\" : 2"));
        assertThatThrownBy(() -> ShardFolder.open(shards, false))
                .hasMessage(manifest + ": format version 2 is not one this minibert reads (1); re-run minibert shard");
    }

    @Test
    void anExistingShardFolderIsNotReplacedAndAFolderOfTheUsersIsNotTouched() throws IOException {
        Path shards = shard(tmp.resolve("shards"), settings(16, false));
        byte[] manifest = Files.readAllBytes(shards.resolve(ShardManifest.FILE));
        assertThatThrownBy(() -> shard(shards, settings(12, false))).hasMessageContaining("--overwrite");
        assertThat(Files.readAllBytes(shards.resolve(ShardManifest.FILE))).isEqualTo(manifest);
        Path users = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(users.resolve("todo.txt"), "mine");
        assertThatThrownBy(() -> shard(users, settings(16, false))).hasMessageContaining("not a minibert output folder");
        assertThat(names(users)).containsExactly("todo.txt");
    }

    /** A corpus whose last line is not UTF-8 fails half-way through sharding: no folder is left behind. */
    @Test
    void aShardRunThatFailsHalfWayLeavesNothing() throws IOException {
        Files.write(tmp.resolve("corpus.txt"), new byte[] {'\n', (byte) 0xC3, '\n'}, StandardOpenOption.APPEND);
        Path out = tmp.resolve("shards");
        assertThatThrownBy(() -> shard(out, settings(16, false)))
                .hasMessageStartingWith(tmp.resolve("corpus.txt") + ":").hasMessageContaining("invalid UTF-8");
        assertThat(out).doesNotExist();
    }

    /** The checkpoint's fingerprint holds the manifest's sha256: the same shards resume, other shards are refused. */
    @Test
    void resumeContinuesOnTheSameShardsAndRefusesOthers() throws IOException {
        Path shards = shard(tmp.resolve("shards"), settings(16, false));
        Path out = tmp.resolve("run");
        Pretraining.run(options(out, shards, 16, false), m -> { });
        assertThat(Pretraining.run(options(out, shards, 16, false, 8, true), m -> { }).steps()).isEqualTo(8);
        Path other = shard(tmp.resolve("other"), new InstanceSettings(16, 0.3, false, false, false, true, 8, 0.3));
        Pretraining.Options moved = options(out, other, 16, false, 9, true);
        assertThatThrownBy(() -> Pretraining.run(moved, m -> { })).hasMessageContaining("--resume: --shards changed");
    }

    private static List<JsonNode> rows(Path metrics) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }
}
