package dev.minibert.eval.experiments;

import dev.minibert.pretrain.CorpusReader;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;
import java.nio.file.Path;
import java.util.List;

/**
 * The entropy (nats) of the corpus's non-special token frequencies: the MLM loss of a model that ignores context
 * and predicts each masked token by its frequency, i.e. the height of the "unigram plateau".
 */
final class UnigramEntropy {
    private UnigramEntropy() {
    }

    static double of(Path corpus, Vocab vocab) {
        BertTokenizer tokenizer = new BertTokenizer(vocab, true);
        long[] counts = new long[vocab.size()];
        for (List<String> document : new CorpusReader(corpus, CorpusReader.Format.SENTENCE_PER_LINE)) {
            for (String sentence : document) {
                for (int id : tokenizer.convertTokensToIds(tokenizer.tokenize(sentence))) {
                    if (!vocab.isSpecial(id)) {
                        counts[id]++;
                    }
                }
            }
        }
        return entropy(counts);
    }

    static double entropy(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            throw new IllegalArgumentException("no tokens counted");
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                h -= p * Math.log(p);
            }
        }
        return h;
    }
}
