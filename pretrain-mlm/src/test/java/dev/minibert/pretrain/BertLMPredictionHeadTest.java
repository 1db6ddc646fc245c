package dev.minibert.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minibert.model.BertConfig;
import dev.minibert.model.GradientCheck;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The head keeps its buffers between steps while the shapes hold: a step after one with more masked rows must give
 * exactly what a fresh head gives. (Its gradients themselves are checked by finite differences and SameDiff in
 * {@link BertForMaskedLMGradientTest}.)
 */
class BertLMPredictionHeadTest {
    private static final BertConfig CONFIG = BertConfig.builder().vocabSize(11).hiddenSize(8).numHiddenLayers(1)
            .numAttentionHeads(2).intermediateSize(12).maxPositionEmbeddings(8).build();

    private record Step(INDArray logits, INDArray dHidden, ParameterStore store) {
    }

    private static Step step(BertLMPredictionHead head, ParameterStore store, int masked, long seed) {
        store.zeroGrad();
        INDArray logits = head.forward(GradientCheck.randn(seed, masked, 8), true).dup();
        INDArray dHidden = head.backward(GradientCheck.randn(seed + 1, masked, 11)).dup();
        return new Step(logits, dHidden, store);
    }

    private static BertLMPredictionHead head(ParameterStore store, boolean transform) {
        Parameter words = store.add("bert.embeddings.word_embeddings.weight", 11, 8);
        BertLMPredictionHead head = new BertLMPredictionHead(CONFIG, store, words, transform);
        GradientCheck.randomize(store, 3);
        return head;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aReusedHeadGivesWhatAFreshHeadGives(boolean transform) {
        ParameterStore reusedStore = new ParameterStore(DataType.DOUBLE);
        BertLMPredictionHead reused = head(reusedStore, transform);
        step(reused, reusedStore, 5, 10);
        Step second = step(reused, reusedStore, 3, 20);

        ParameterStore freshStore = new ParameterStore(DataType.DOUBLE);
        Step fresh = step(head(freshStore, transform), freshStore, 3, 20);
        assertThat(second.logits()).isEqualTo(fresh.logits());
        assertThat(second.dHidden()).isEqualTo(fresh.dHidden());
        for (Parameter p : freshStore) {
            assertThat(reusedStore.get(p.name()).grad()).as(p.name()).isEqualTo(p.grad());
        }
    }

    /**
     * M changes from batch to batch: fewer rows reuse the [M,V] buffer's memory, and memory outgrown is freed at
     * once, not when a GC gets round to it.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void fewerRowsReuseTheMemoryAndOutgrownMemoryIsFreedAtOnce(boolean transform) {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertLMPredictionHead head = head(store, transform);
        INDArray first = head.forward(GradientCheck.randn(1, 3, 8), true);
        assertThat(head.forward(GradientCheck.randn(2, 3, 8), true)).isSameAs(first);
        assertThat(head.forward(GradientCheck.randn(3, 2, 8), true).data()).isSameAs(first.data());
        INDArray other = head.forward(GradientCheck.randn(4, 4, 8), true);
        assertThat(first.data().wasClosed()).isTrue();
        assertThat(other.data().wasClosed()).isFalse();
    }

    /**
     * An evaluation's forward (the encoder under noGrad) keeps no x̂ in the transform's LayerNorm: its logits are the
     * training forward's bits, and a backward after it refuses instead of reading the last training forward's x̂.
     */
    @Test
    void aForwardThatKeepsNothingGivesTheSameLogitsAndNoBackward() {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertLMPredictionHead head = head(store, true);
        INDArray hidden = GradientCheck.randn(30, 3, 8).castTo(DataType.FLOAT);
        INDArray trained = head.forward(hidden, true).dup();
        head.backward(GradientCheck.randn(31, 3, 11).castTo(DataType.FLOAT));
        INDArray evaluated = head.forward(hidden, false).dup();
        assertThat(evaluated.data().asFloat()).isEqualTo(trained.data().asFloat());
        assertThatThrownBy(() -> head.backward(GradientCheck.randn(31, 3, 11).castTo(DataType.FLOAT)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("noGrad");
    }
}
