package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A tiny Chinese corpus with its character vocabulary and a 2-layer model config, for pretraining tests. */
final class TinyCorpus {
    static final List<String> DOCUMENTS = List.of(
            "今天天气很好。\n我们去公园散步。\n",
            "自然语言处理很有趣。\n模型学习语言的规律。\n",
            "春眠不觉晓。\n处处闻啼鸟。\n",
            "床前明月光。\n疑是地上霜。\n",
            "学而时习之。\n不亦说乎。\n",
            "火车晚点了。\n我们在车站等待。\n");

    private TinyCorpus() {
    }

    /** Writes corpus.txt (blank line between documents), vocab.txt and config.json into dir. */
    static void write(Path dir, double dropout) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("corpus.txt"), String.join("\n", DOCUMENTS), StandardCharsets.UTF_8);
        Set<String> chars = new LinkedHashSet<>();
        for (String d : DOCUMENTS) {
            d.codePoints().filter(c -> !Character.isWhitespace(c)).forEach(c -> chars.add(new String(Character.toChars(c))));
        }
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(chars);
        Files.write(dir.resolve("vocab.txt"), vocab, StandardCharsets.UTF_8);
        BertConfig config = BertConfig.builder().vocabSize(vocab.size()).hiddenSize(32).numHiddenLayers(2)
                .numAttentionHeads(2).intermediateSize(64).maxPositionEmbeddings(32)
                .hiddenDropoutProb(dropout).attentionProbsDropoutProb(dropout).build();
        Files.writeString(dir.resolve("config.json"), config.toJsonString(), StandardCharsets.UTF_8);
    }

    /** Options for a run on the tiny corpus. */
    static Pretraining.Options options(Path dir, Path out, long steps, double lr, int saveEvery, boolean resume) {
        return builder(dir, out, steps, lr, saveEvery, resume, 4).build();
    }

    static Pretraining.Options options(Path dir, Path out, long steps, double lr, int saveEvery, boolean resume,
                                       int batchSize) {
        return builder(dir, out, steps, lr, saveEvery, resume, batchSize).build();
    }

    /** The options of a run on the tiny corpus, for tests to override what they vary. */
    static Pretraining.Builder builder(Path dir, Path out, long steps, double lr, int saveEvery, boolean resume,
                                       int batchSize) {
        return Pretraining.Options.builder().corpus(List.of(dir.resolve("corpus.txt"))).vocab(dir.resolve("vocab.txt"))
                .config(dir.resolve("config.json")).out(out).maxSteps(steps).batchSize(batchSize).maxSeqLen(16)
                .learningRate(lr).warmupSteps(0L).logEvery(1).saveEvery(saveEvery).keepCheckpoints(2).seed(7)
                .resume(resume).evalFraction(0.0).maxPredictionsPerSeq(5).shortSeqProb(0.0).maxBadSteps(3);
    }
}
