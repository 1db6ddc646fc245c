package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class LayerwiseLrTest {
    @Test
    void decaysWithDepthFromTheTopAndFreezesTheBottom() {
        ToDoubleFunction<String> scale = LayerwiseLr.scales(3, 1, 0.5);
        // frozen: embeddings and layer 0
        assertThat(scale.applyAsDouble("bert.embeddings.word_embeddings.weight")).isZero();
        assertThat(scale.applyAsDouble("bert.encoder.layer.0.attention.self.query.weight")).isZero();
        // layer i of L=3 trains at 0.5^(3-i); heads at full rate
        assertThat(scale.applyAsDouble("bert.encoder.layer.1.output.dense.bias")).isCloseTo(0.25, within(1e-15));
        assertThat(scale.applyAsDouble("bert.encoder.layer.2.output.LayerNorm.weight")).isCloseTo(0.5, within(1e-15));
        assertThat(scale.applyAsDouble("bert.pooler.dense.weight")).isEqualTo(1.0);
        assertThat(scale.applyAsDouble("classifier.weight")).isEqualTo(1.0);
    }

    @Test
    void withoutOptionsEveryParameterTrainsAtTheFullRate() {
        ToDoubleFunction<String> scale = LayerwiseLr.scales(2, 0, 1.0);
        assertThat(scale.applyAsDouble("bert.embeddings.LayerNorm.bias")).isEqualTo(1.0);
        assertThat(scale.applyAsDouble("bert.encoder.layer.0.intermediate.dense.weight")).isEqualTo(1.0);
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThatThrownBy(() -> LayerwiseLr.scales(2, 3, 1.0)).hasMessageContaining("--freeze-layers");
        assertThatThrownBy(() -> LayerwiseLr.scales(2, 0, 0.0)).hasMessageContaining("--layerwise-lr-decay");
    }
}
