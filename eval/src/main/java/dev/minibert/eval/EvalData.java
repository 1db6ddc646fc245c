package dev.minibert.eval;

import dev.minibert.finetune.ClassificationDataset;
import dev.minibert.finetune.DatasetFormat;
import dev.minibert.finetune.EncodedExamples;
import dev.minibert.finetune.Example;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.pretrain.CorpusReader;
import dev.minibert.pretrain.Instance;
import dev.minibert.pretrain.InstanceBuilder;
import dev.minibert.pretrain.MaskingCollator;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The data {@code eval} and {@code inspect} feed a saved model: a corpus for masked LM, a labeled file for a classifier. */
public final class EvalData {
    /** What {@code inspect} reads without {@code --data}: everyday Chinese sentences, one document each. */
    public static final List<String> BUILT_IN_SENTENCES = List.of(
            "今天天气很好，我们去公园散步吧。",
            "这家餐厅的菜味道不错，价格也合理。",
            "他每天早上六点起床，然后去跑步。",
            "学习一门新的语言需要耐心和坚持。",
            "北京是中国的首都，有很多历史古迹。",
            "这本书写得很有意思，我一口气读完了。",
            "火车晚点了半个小时，大家都在等待。",
            "医生建议他多喝水，早点休息。");

    private EvalData() {
    }

    /** Longest sequence the model takes: the asked length, cut to its position embeddings. */
    public static int seqLen(ModelDirectory dir, int maxSeqLen) {
        return Math.min(maxSeqLen, dir.config().maxPositionEmbeddings);
    }

    /**
     * Masked-LM instances of a corpus (one sentence per line, blank lines between documents), or of the built-in
     * sentences when {@code corpus} is null; full-length chunks (no random short sequences), only those with a token
     * the masking may choose.
     */
    public static List<Instance> mlmInstances(ModelDirectory dir, Path corpus, int maxSeqLen, long seed) {
        InstanceBuilder builder = new InstanceBuilder(new BertTokenizer(dir.vocab(), dir.doLowerCase()),
                seqLen(dir, maxSeqLen), 0.0, seed);
        List<Instance> out = new ArrayList<>();
        if (corpus == null) {
            BUILT_IN_SENTENCES.forEach(s -> out.addAll(builder.fromDocument(List.of(s))));
        } else {
            for (List<String> document : new CorpusReader(corpus, CorpusReader.Format.SENTENCE_PER_LINE)) {
                out.addAll(builder.fromDocument(document));
            }
        }
        String source = corpus == null ? "the built-in sentences" : corpus.toString();
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + ": no text to evaluate on");
        }
        // a sequence of only [UNK] and special tokens has nothing the masking may choose
        List<Instance> maskable = out.stream().filter(i -> MaskingCollator.canMask(i, dir.vocab())).toList();
        if (maskable.isEmpty()) {
            throw new IllegalArgumentException(source + ": every token is [UNK] or special in the vocabulary of "
                    + dir.path() + ": nothing to mask (is the text in the model's language?)");
        }
        return maskable;
    }

    /** A labeled CSV/TSV/JSONL file in the classifier's label set, tokenized. */
    public static EncodedExamples classification(SavedModel model, Path data, DatasetFormat format, int maxSeqLen) {
        ClassificationDataset set = ClassificationDataset.load(data, format, model.labels(), false);
        return encode(model, set.examples(), maxSeqLen);
    }

    /**
     * The built-in sentences with labels assigned round-robin: without data a classifier still gets a gradient of a
     * fixed, arbitrary target, which is enough to compare layers.
     */
    public static EncodedExamples builtInClassification(SavedModel model, int maxSeqLen) {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < BUILT_IN_SENTENCES.size(); i++) {
            examples.add(new Example(BUILT_IN_SENTENCES.get(i), null, i % model.labels().size(), i + 1));
        }
        return encode(model, examples, maxSeqLen);
    }

    private static EncodedExamples encode(SavedModel model, List<Example> examples, int maxSeqLen) {
        ModelDirectory dir = model.directory();
        return new EncodedExamples(examples, new BertTokenizer(dir.vocab(), dir.doLowerCase()), seqLen(dir, maxSeqLen));
    }
}
