package dev.minibert.finetune;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A freshly initialised 2-layer model with a character vocabulary, and a synthetic task it can learn:
 * texts are 8 space-separated letters, the label says whether {@code x} occurs in the second half. A
 * bag of tokens cannot solve it (x occurs in the first half just as often), so the model must use positions.
 */
final class TinyPretrained {
    static final List<String> LETTERS = List.of("a", "b", "c", "d", "e", "f", "x");
    static final int HALF = 4;

    private TinyPretrained() {
    }

    static BertConfig config(BertConfig.NormStyle style, double dropout) {
        return BertConfig.builder().vocabSize(Vocab.SPECIAL_TOKENS.size() + LETTERS.size()).hiddenSize(32)
                .numHiddenLayers(2).numAttentionHeads(2).intermediateSize(64).maxPositionEmbeddings(16)
                .hiddenDropoutProb(dropout).attentionProbsDropoutProb(dropout).normStyle(style).build();
    }

    static Vocab vocab() {
        List<String> tokens = new ArrayList<>(Vocab.SPECIAL_TOKENS);
        tokens.addAll(LETTERS);
        return Vocab.of(tokens);
    }

    /** Writes the model directory {@code dir} and returns its (float) parameters as saved. */
    static ParameterStore write(Path dir, BertConfig config, long seed) throws IOException {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertModel(config, store, "bert.", true);
        Initializer.initialize(store, config.initializerRange, seed);
        ModelDirectory.save(dir, config, vocab(), true, store, Map.of());
        return store;
    }

    /** A text of 8 letters; x lands in the first half, the second half, both or neither, each equally often. */
    static String text(Random r, boolean xFirst, boolean xSecond) {
        StringBuilder s = new StringBuilder();
        for (int half = 0; half < 2; half++) {
            boolean withX = half == 0 ? xFirst : xSecond;
            int at = withX ? r.nextInt(HALF) : -1;
            for (int i = 0; i < HALF; i++) {
                s.append(s.length() == 0 ? "" : " ").append(i == at ? "x" : LETTERS.get(r.nextInt(LETTERS.size() - 1)));
            }
        }
        return s.toString();
    }

    /** A CSV with header {@code text,label}: label {@code yes} when x occurs in the second half. */
    static Path csv(Path file, int rows, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < rows; i++) {
            boolean first = r.nextBoolean();
            boolean second = r.nextBoolean();
            csv.append(text(r, first, second)).append(',').append(second ? "yes" : "no").append('\n');
        }
        return Files.writeString(file, csv, StandardCharsets.UTF_8);
    }
}
