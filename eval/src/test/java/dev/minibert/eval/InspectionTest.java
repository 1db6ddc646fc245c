package dev.minibert.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.pretrain.BertForMaskedLM;
import dev.minibert.tokenizer.Vocab;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectionTest {
    @TempDir
    Path dir;

    @Test
    void builtInSentencesGiveAMaskedBatchAndPerLayerGradients() throws Exception {
        TinyRuns.writeInputs(dir);
        BertConfig config = BertConfig.read(dir.resolve("config.json"));
        ParameterStore store = SavedModel.newStore();
        new BertForMaskedLM(config, store, true);
        Initializer.initialize(store, 0.02, 3);
        Path model = dir.resolve("model");
        ModelDirectory.save(model, config, Vocab.read(dir.resolve("vocab.txt")), true, store, Map.of());

        Inspection in = Inspection.run(SavedModel.open(model), null, null, 8, 64, 42);
        // sentences of 16, 17, 16, 16, 17, 18, 17 and 14 characters: round(0.15 n) = 2, 3, 2, 2, 3, 3, 3, 2 masked
        assertThat(in.batch()).isEqualTo("8 sequences of built-in Chinese sentences, 20 tokens masked (15%, seed 42)");
        assertThat(in.gradNorms().keySet()).containsExactly("embeddings", "layer.0", "layer.1", "cls");
        assertThat(in.gradNorms().values()).allSatisfy(n -> assertThat(n).isPositive().isFinite());
        assertThat(in.inputGradNorms()).hasSize(3);
        assertThat(java.util.Arrays.stream(in.inputGradNorms()).allMatch(n -> n > 0 && Double.isFinite(n))).isTrue();
        assertThat(in.weightGradFit().layers()).containsExactly("layer.0", "layer.1");
        assertThat(in.inputGradFit().norms()).containsExactly(in.inputGradNorms()[0], in.inputGradNorms()[1]);
        assertThat(in.gamma().tracks()).hasSize(6);
        assertThat(in.notes()).isEmpty();
        // an untrained model guesses uniformly over the vocabulary
        assertThat(in.loss()).isCloseTo(Math.log(config.vocabSize), within(0.05));
    }
}
