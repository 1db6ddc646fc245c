package dev.minibert.eval.experiments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A tiny Chinese corpus, its character vocabulary and a two-label set, for running experiments at the tiny budget. */
final class TinyData {
    static final List<String> DOCUMENTS = List.of(
            "今天天气很好。\n我们去公园散步。\n",
            "自然语言处理很有趣。\n模型学习语言的规律。\n",
            "春眠不觉晓。\n处处闻啼鸟。\n",
            "床前明月光。\n疑是地上霜。\n",
            "学而时习之。\n不亦说乎。\n",
            "火车晚点了。\n我们在车站等待。\n",
            "白日依山尽。\n黄河入海流。\n",
            "明天会下雨吗。\n我们带上雨伞吧。\n");
    static final List<String> POEMS = List.of("春眠不觉晓", "处处闻啼鸟", "床前明月光", "疑是地上霜", "白日依山尽",
            "黄河入海流");
    static final List<String> PROSE = List.of("今天天气很好", "我们去公园散步", "火车晚点了", "我们在车站等待",
            "明天会下雨吗", "模型学习语言的规律");

    final Path corpus;
    final Path vocab;
    final Path train;
    final Path dev;

    private TinyData(Path dir) {
        corpus = dir.resolve("corpus.txt");
        vocab = dir.resolve("vocab.txt");
        train = dir.resolve("train.jsonl");
        dev = dir.resolve("dev.jsonl");
    }

    static TinyData write(Path dir) throws IOException {
        TinyData d = new TinyData(dir);
        Files.writeString(d.corpus, String.join("\n", DOCUMENTS), StandardCharsets.UTF_8);
        Set<String> chars = new LinkedHashSet<>();
        for (String doc : DOCUMENTS) {
            doc.codePoints().filter(c -> !Character.isWhitespace(c)).forEach(c -> chars.add(Character.toString(c)));
        }
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(chars);
        Files.write(d.vocab, vocab, StandardCharsets.UTF_8);
        Files.writeString(d.train, labeled(5), StandardCharsets.UTF_8);
        Files.writeString(d.dev, labeled(1), StandardCharsets.UTF_8);
        return d;
    }

    /** Every poem line labeled "poem" and every prose line "prose", {@code copies} times. */
    private static String labeled(int copies) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < copies; c++) {
            POEMS.forEach(p -> sb.append("{\"text\":\"").append(p).append("\",\"label\":\"poem\"}\n"));
            PROSE.forEach(p -> sb.append("{\"text\":\"").append(p).append("\",\"label\":\"prose\"}\n"));
        }
        return sb.toString();
    }

    ExperimentSetup setup(Path out, Integer steps) {
        return new ExperimentSetup(Budget.TINY, corpus, vocab, train, dev, out, 7, steps, "minibert experiment test",
                PeerScripts.none("not in this test"));
    }
}
