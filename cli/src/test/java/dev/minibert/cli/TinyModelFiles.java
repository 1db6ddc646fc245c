package dev.minibert.cli;

import dev.minibert.model.BertConfig;
import dev.minibert.tokenizer.Vocab;
import java.util.ArrayList;
import java.util.List;

/** A 2-layer, hidden-16 config over a small word vocabulary: the model every CLI test writes. */
final class TinyModelFiles {
    static final List<String> WORDS = List.of("the", "cat", "dog", "sat", "ran", "on", "mat", "fast", "slow", "very");

    private TinyModelFiles() {
    }

    static Vocab vocab() {
        List<String> tokens = new ArrayList<>(Vocab.SPECIAL_TOKENS);
        tokens.addAll(WORDS);
        return Vocab.of(tokens);
    }

    static BertConfig config() {
        return BertConfig.builder().vocabSize(Vocab.SPECIAL_TOKENS.size() + WORDS.size()).hiddenSize(16)
                .numHiddenLayers(2).numAttentionHeads(2).intermediateSize(32).maxPositionEmbeddings(16).build();
    }
}
