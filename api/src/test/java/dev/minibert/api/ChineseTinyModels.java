package dev.minibert.api;

import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.LabelMap;
import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Saved 2-layer, hidden-32 models over a character vocabulary of 22 Chinese sentences of mixed lengths (one batch
 * of them carries padding); init std 0.3, so outputs differ visibly per text. Shared with the bench module's tests
 * (test-jar).
 */
public final class ChineseTinyModels {
    /** Tokens per text at most: the models' max_position_embeddings. */
    public static final int MAX_LENGTH = 64;
    public static final List<String> SENTENCES = List.of(
            "你好。", "今天下雨了，记得带伞。", "机器学习模型需要大量的数据来训练。", "猫在桌子上睡觉。",
            "我们明天早上八点出发去爬山，晚上回来。", "这个问题很难。", "请打开窗户。", "图书馆周日不开门。",
            "他用了三年时间写完这本小说，出版后很受欢迎。", "苹果和香蕉都是水果。", "好！", "地铁站就在前面不远的地方。",
            "老师说考试时间改到下周二下午。", "天空是蓝色的。", "妈妈做的红烧肉最好吃。", "注意安全。",
            "这台电脑的内存是十六个字节吗？不是，是十六吉字节。", "春天来了，花都开了。", "他跑得很快。",
            "会议推迟到三点。", "我想喝一杯热茶。", "把文件发给我，谢谢。");
    public static final LabelMap LABELS = LabelMap.of(List.of("天气", "生活", "学习"));

    private ChineseTinyModels() {
    }

    /** Every character of the sentences, after the special tokens: a WordPiece vocabulary they need no [UNK] in. */
    public static Vocab vocab() {
        TreeSet<String> chars = new TreeSet<>();
        for (String s : SENTENCES) {
            s.codePoints().filter(c -> !Character.isWhitespace(c)).forEach(c -> chars.add(Character.toString(c)));
        }
        List<String> tokens = new ArrayList<>(Vocab.SPECIAL_TOKENS);
        tokens.addAll(chars);
        return Vocab.of(tokens);
    }

    public static BertConfig config(BertConfig.NormStyle style) {
        return BertConfig.builder().vocabSize(vocab().size()).hiddenSize(32).numHiddenLayers(2)
                .numAttentionHeads(4).intermediateSize(64).maxPositionEmbeddings(MAX_LENGTH).layerNormEps(1e-6)
                .hiddenDropoutProb(0).attentionProbsDropoutProb(0).normStyle(style).build();
    }

    /** An encoder with its pooler, saved in {@code dir}. */
    public static Path encoder(Path dir, BertConfig.NormStyle style) throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertModel(config(style), store, "bert.", true);
        Initializer.initialize(store, 0.3, 7);
        ModelDirectory.save(dir, config(style), vocab(), true, store, Map.of());
        return dir;
    }

    /** A post-norm classifier over {@link #LABELS}, as {@code minibert finetune} saves one; returns the saved model. */
    public static BertForSequenceClassification classifier(Path dir) throws IOException {
        BertConfig config = config(BertConfig.NormStyle.POST);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForSequenceClassification model = new BertForSequenceClassification(config, store, LABELS.size(), null);
        Initializer.initialize(store, 0.3, 17);
        ModelDirectory.save(dir, LABELS.withLabels(config), vocab(), true, store,
                Map.of(LabelMap.FILE, LABELS.toJson()));
        return model;
    }
}
