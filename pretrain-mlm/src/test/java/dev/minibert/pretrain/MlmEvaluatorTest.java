package dev.minibert.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.Vocab;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Held-out scoring: a batch with nothing to mask (a short line of unknown characters) counts for nothing. */
class MlmEvaluatorTest {
    private static final Vocab VOCAB = Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d"));
    private static final Instance WORDS = instance(2, 5, 6, 7, 8, 6, 5, 3);
    private static final Instance UNKNOWN = instance(2, 1, 3); // [CLS] [UNK] [SEP]

    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    private static Instance instance(int... ids) {
        boolean[] starts = new boolean[ids.length];
        java.util.Arrays.fill(starts, true);
        return new Instance(ids, new int[ids.length], starts, false);
    }

    private static BertForMaskedLM model() {
        BertConfig config = BertConfig.builder().vocabSize(VOCAB.size()).hiddenSize(8).numHiddenLayers(2)
                .numAttentionHeads(2).intermediateSize(16).maxPositionEmbeddings(16).build();
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForMaskedLM model = new BertForMaskedLM(config, store, true);
        Initializer.initialize(store, 0.02, 3);
        return model;
    }

    private static MlmEvaluator.Score score(BertForMaskedLM model, List<Instance> instances) {
        return new MlmEvaluator(instances, new MaskingCollator(VOCAB, 0.15, 5, false), 1, 11).evaluate(model);
    }

    @Test
    void aBatchWithNothingToMaskIsSkippedAndCountsNothing() {
        BertForMaskedLM model = model();
        MlmEvaluator.Score alone = score(model, List.of(WORDS));
        // batch 0 is WORDS under the same masking seed in both runs; batch 1 has no masked token
        MlmEvaluator.Score withUnknown = score(model, List.of(WORDS, UNKNOWN));
        assertThat(alone.maskedTokens()).isEqualTo(1); // round(0.15 · 6) = 1
        assertThat(withUnknown).isEqualTo(alone);
        assertThat(alone.loss()).isFinite().isPositive();
    }

    @Test
    void nothingToMaskAnywhereGivesNoTokensAndNoLoss() {
        MlmEvaluator.Score s = score(model(), List.of(UNKNOWN, UNKNOWN));
        assertThat(s.maskedTokens()).isZero();
        assertThat(s.loss()).isNaN();
    }

    @Test
    void onlySequencesWithAMaskableTokenCanBeMasked() {
        assertThat(MaskingCollator.canMask(WORDS, VOCAB)).isTrue();
        assertThat(MaskingCollator.canMask(UNKNOWN, VOCAB)).isFalse();
    }
}
