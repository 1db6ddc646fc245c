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

    /** Options for a run on the tiny corpus; tests override what they vary. */
    static Pretraining.Options options(Path dir, Path out, long steps, double lr, int saveEvery, boolean resume) {
        return options(dir, out, steps, lr, saveEvery, resume, 4);
    }

    static Pretraining.Options options(Path dir, Path out, long steps, double lr, int saveEvery, boolean resume,
                                       int batchSize) {
        return new Pretraining.Options(List.of(dir.resolve("corpus.txt")), dir.resolve("vocab.txt"),
                dir.resolve("config.json"), null, out, steps, 1, batchSize, 1, 16, lr, 0L, null, 0.01, 1e-8, 1.0, 1,
                saveEvery, 2, 7, resume, true, false, 0.0, 5, 0.0, false, false, 3, null, null, 0.15, null, false);
    }
}
