package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A process killed with kill -9 in the middle of replacing a model folder's files leaves the old set or the new
 * one (never a mix once opened), the user's own file untouched, and nothing the next open or save does not clean up.
 */
class ModelSwapCrashTest {
    private static final BertConfig CONFIG = BertConfig.builder().vocabSize(6).hiddenSize(4).numHiddenLayers(1)
            .numAttentionHeads(2).intermediateSize(8).maxPositionEmbeddings(8).build();
    private static final Vocab VOCAB = Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "好"));
    private static final String WEIGHT = "bert.embeddings.LayerNorm.weight";

    @TempDir
    Path tmp;

    private static ParameterStore store(long seed) {
        ParameterStore s = new ParameterStore(DataType.FLOAT);
        s.add(WEIGHT, 4);
        s.add("bert.embeddings.word_embeddings.weight", 6, 4);
        Nd4j.getRandom().setSeed(seed);
        for (Parameter p : s) {
            p.value().assign(Nd4j.randn(DataType.FLOAT, p.shape()));
        }
        return s;
    }

    /** The old set: lower-cased, seed 1, with labels.json. */
    private static void saveOld(Path dir) throws IOException {
        ModelDirectory.save(dir, CONFIG, VOCAB, true, store(1), Map.of("labels.json", List.of("a", "b")));
    }

    /** The new set: cased, seed 7, no labels.json (the child process writes it). */
    static void saveNew(Path dir) throws IOException {
        ModelDirectory.save(dir, CONFIG, VOCAB, false, store(7), Map.of());
    }

    /** Starts a child saving the new set over the old one and kills it (-9) when it reaches {@code step}. */
    private Path killedAt(int step) throws Exception {
        Path dir = tmp.resolve("model-" + step);
        saveOld(dir);
        Files.writeString(dir.resolve("notes.txt"), "mine");
        ChildJvm child = ChildJvm.start(tmp, List.of(), SavingChild.class.getName(), "paused at swap step " + step,
                List.of(dir.toString(), Integer.toString(step)));
        child.awaitSignal();
        child.kill();
        return dir;
    }

    @Test
    void killedBeforeTheCommitLeavesTheOldSet() throws Exception {
        Path dir = killedAt(0);
        assertThat(names(dir)).as("the staged new set is still there").anyMatch(n -> n.startsWith(".minibert-staging-"));

        ModelDirectory md = ModelDirectory.open(dir);
        assertThat(md.doLowerCase()).isTrue();
        assertThat(md.tensors().get(WEIGHT)).isEqualTo(store(1).get(WEIGHT).value());
        assertThat(md.extraJson("labels.json")).isPresent();
        assertThat(dir.resolve("notes.txt")).hasContent("mine");

        saveNew(dir); // the next save drops the dead process's staging folder
        assertThat(names(dir)).containsExactlyInAnyOrder("config.json", "vocab.txt", "tokenizer_config.json",
                "model.safetensors", "notes.txt", OutputMarker.FILE, RunLock.FILE);
    }

    @Test
    void killedHalfWayThroughTheMovesOpensAsTheNewSet() throws Exception {
        Path dir = killedAt(4); // committed; config, vocab and tokenizer_config moved, the weights not yet
        assertThat(Files.readString(dir.resolve("tokenizer_config.json"))).as("on disk, a mix")
                .contains("\"do_lower_case\" : false");
        assertThat(dir.resolve("labels.json")).exists();

        ModelDirectory md = ModelDirectory.open(dir);
        assertThat(md.doLowerCase()).isFalse();
        assertThat(md.tensors().get(WEIGHT)).isEqualTo(store(7).get(WEIGHT).value());
        assertThat(md.extraJson("labels.json")).isEmpty();
        assertThat(OutputMarker.read(dir).modelFiles()).doesNotContain("labels.json");
        assertThat(names(dir)).containsExactlyInAnyOrder("config.json", "vocab.txt", "tokenizer_config.json",
                "model.safetensors", "notes.txt", OutputMarker.FILE, RunLock.FILE);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
