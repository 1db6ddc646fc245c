package dev.minibert.eval;

import dev.minibert.finetune.Finetuning;
import dev.minibert.model.BertConfig;
import dev.minibert.pretrain.Pretraining;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Real, tiny runs for the report and evaluation tests: a 2-layer hidden-32 model pretrained for a few steps on the
 * built-in sentences (character vocabulary, one document per sentence), and a classifier finetuned from it.
 */
final class TinyRuns {
    static final List<String> SENTENCES = EvalData.BUILT_IN_SENTENCES;

    private TinyRuns() {
    }

    /** corpus.txt, vocab.txt (the sentences' characters) and a post-norm config.json without dropout. */
    static void writeInputs(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("corpus.txt"), String.join("\n\n", SENTENCES) + "\n", StandardCharsets.UTF_8);
        Set<String> chars = new LinkedHashSet<>();
        SENTENCES.forEach(s -> s.codePoints().forEach(c -> chars.add(Character.toString(c))));
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(chars);
        Files.write(dir.resolve("vocab.txt"), vocab, StandardCharsets.UTF_8);
        BertConfig config = BertConfig.builder().vocabSize(vocab.size()).hiddenSize(32).numHiddenLayers(2)
                .numAttentionHeads(2).intermediateSize(64).maxPositionEmbeddings(32).hiddenDropoutProb(0)
                .attentionProbsDropoutProb(0).build();
        Files.writeString(dir.resolve("config.json"), config.toJsonString(), StandardCharsets.UTF_8);
    }

    /** {@code steps} steps of masked-LM pretraining into {@code out}, logging every step, a quarter held out. */
    static Path pretrain(Path inputs, Path out, long steps) throws IOException {
        Pretraining.run(new Pretraining.Options(List.of(inputs.resolve("corpus.txt")), inputs.resolve("vocab.txt"),
                inputs.resolve("config.json"), null, out, steps, 1, 4, 1, 32, 1e-3, 0L, null, 0.01, 1e-8, 1.0, 1,
                (int) steps, 1, 5, false, true, false, 0.25, 5, 0.0, false, false, 3, null, null, 0.15, null, false), row -> { });
        return out;
    }

    /**
     * A labeled CSV of the sentences: label "long" for sentences over 16 characters (four of eight), else "short".
     */
    static Path labeledCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>(List.of("text,label"));
        SENTENCES.forEach(s -> lines.add(s + "," + (s.length() > 16 ? "long" : "short")));
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    /** Two epochs of finetuning {@code model} on the labeled sentences (dev = train). */
    static Path finetune(Path model, Path csv, Path out) throws IOException {
        Finetuning.run(new Finetuning.Options(model, csv, csv, out, null, null, "label", 2, 4, 1, 32, 1e-3, 0.0, null,
                0.01, 1.0, 1, 3, false, "macro_f1", 0, false, 0, 1.0, false, 3, false), row -> { });
        return out;
    }
}
