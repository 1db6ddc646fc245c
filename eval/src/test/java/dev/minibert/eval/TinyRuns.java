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
        Pretraining.run(Pretraining.Options.builder().corpus(List.of(inputs.resolve("corpus.txt")))
                .vocab(inputs.resolve("vocab.txt")).config(inputs.resolve("config.json")).out(out).maxSteps(steps)
                .batchSize(4).maxSeqLen(32).learningRate(1e-3).warmupSteps(0L).logEvery(1).saveEvery((int) steps)
                .keepCheckpoints(1).seed(5).evalFraction(0.25).maxPredictionsPerSeq(5).shortSeqProb(0.0)
                .maxBadSteps(3).build(), row -> { });
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
        Finetuning.run(Finetuning.Options.builder().model(model).train(csv).dev(csv).out(out).epochs(2).batchSize(4)
                .maxSeqLen(32).learningRate(1e-3).warmupRatio(0.0).logEvery(1).seed(3).maxBadSteps(3).build(),
                row -> { });
        return out;
    }
}
