package dev.minibert.distributed;

import dev.minibert.model.BertConfig;
import dev.minibert.pretrain.InstanceSettings;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.pretrain.Sharding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Two small Chinese corpus files, their character vocabulary, a 2-layer config with dropout, and their shards. */
final class ShardedCorpus {
    private static final List<String> SENTENCES = List.of("今天天气很好。", "我们去公园散步。", "自然语言处理很有趣。",
            "模型学习语言的规律。", "春眠不觉晓。", "处处闻啼鸟。", "床前明月光。", "疑是地上霜。", "学而时习之。", "不亦说乎。",
            "火车晚点了。", "我们在车站等待。");
    static final long SEED = 11;
    static final int MAX_SEQ_LEN = 16;
    static final double SHORT_SEQ_PROB = 0.2;
    static final double EVAL_FRACTION = 0.2;

    final Path dir;

    ShardedCorpus(Path dir) {
        this.dir = dir;
    }

    /** Writes a.txt and b.txt (documents of three sentences each), vocab.txt, config.json; returns this. */
    ShardedCorpus write() throws IOException {
        for (String file : List.of("a.txt", "b.txt")) {
            StringBuilder text = new StringBuilder();
            for (int d = 0; d < 8; d++) {
                for (int s = 0; s < 3; s++) {
                    text.append(SENTENCES.get((d * 5 + s * 7 + file.charAt(0)) % SENTENCES.size())).append('\n');
                }
                text.append('\n');
            }
            Files.writeString(corpus(file), text, StandardCharsets.UTF_8);
        }
        Set<String> chars = new LinkedHashSet<>();
        SENTENCES.forEach(s -> s.codePoints().forEach(c -> chars.add(Character.toString(c))));
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(chars);
        Files.write(vocab(), vocab, StandardCharsets.UTF_8);
        BertConfig config = BertConfig.builder().vocabSize(vocab.size()).hiddenSize(32).numHiddenLayers(2)
                .numAttentionHeads(2).intermediateSize(64).maxPositionEmbeddings(32)
                .hiddenDropoutProb(0.1).attentionProbsDropoutProb(0.1).build();
        Files.writeString(dir.resolve("config.json"), config.toJsonString(), StandardCharsets.UTF_8);
        return this;
    }

    Path corpus(String file) {
        return dir.resolve(file);
    }

    List<Path> corpusFiles() {
        return List.of(corpus("a.txt"), corpus("b.txt"));
    }

    Path vocab() {
        return dir.resolve("vocab.txt");
    }

    static InstanceSettings settings() {
        return new InstanceSettings(MAX_SEQ_LEN, SHORT_SEQ_PROB, false, false, false, true, SEED, EVAL_FRACTION);
    }

    /** {@code minibert shard} of both files into {@code out}, a few dozen tokens a shard so there are several. */
    Sharding.Options sharding(Path out) {
        return new Sharding.Options(corpusFiles(), vocab(), settings(), out, 64);
    }

    /** A pretraining run of {@code steps} steps from {@code shards}, every step logged, one checkpoint at the end. */
    Pretraining.Options pretraining(Path shards, Path out, int accumulation, long steps) {
        return pretraining(shards, out, accumulation, steps, 0, false);
    }

    /** As above, with a checkpoint every {@code saveEvery} steps (0: only at the end), resumed or not. */
    Pretraining.Options pretraining(Path shards, Path out, int accumulation, long steps, int saveEvery, boolean resume) {
        return Pretraining.Options.builder().shards(shards).vocab(vocab()).config(dir.resolve("config.json")).out(out)
                .maxSteps(steps).batchSize(4).accumulation(accumulation).maxSeqLen(MAX_SEQ_LEN).learningRate(1e-3)
                .warmupSteps(2L).logEvery(1).saveEvery(saveEvery).keepCheckpoints(1).seed(SEED).resume(resume)
                .evalFraction(EVAL_FRACTION).maxPredictionsPerSeq(5).shortSeqProb(SHORT_SEQ_PROB).maxBadSteps(3)
                .build();
    }
}
