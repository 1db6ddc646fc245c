package dev.minibert.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.model.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class LayerNormProbeTest {
    @Test
    void statisticsOfEveryLayerNormGainAndNothingElse() {
        ParameterStore s = new ParameterStore(DataType.FLOAT);
        s.add("bert.embeddings.LayerNorm.weight", 4).value().assign(Nd4j.createFromArray(1f, 2f, 4f, 5f));
        s.add("bert.embeddings.LayerNorm.bias", 4).value().assign(100);
        s.add("bert.pooler.dense.weight", 2, 2).value().assign(100);
        s.add("bert.final_layer_norm.weight", 2).value().assign(Nd4j.createFromArray(0.5f, 1.5f));

        Map<String, LayerNormProbe.Stats> stats = LayerNormProbe.gammaStats(s);

        assertThat(stats.keySet()).containsExactly("bert.embeddings.LayerNorm.weight", "bert.final_layer_norm.weight");
        LayerNormProbe.Stats e = stats.get("bert.embeddings.LayerNorm.weight");
        assertThat(e.mean()).isCloseTo(3, within(1e-12));
        assertThat(e.min()).isEqualTo(1);
        assertThat(e.max()).isEqualTo(5);
        assertThat(e.std()).isCloseTo(Math.sqrt((4 + 1 + 1 + 4) / 4.0), within(1e-12)); // population std
        LayerNormProbe.Stats f = stats.get("bert.final_layer_norm.weight");
        assertThat(f.mean()).isCloseTo(1, within(1e-12));
        assertThat(f.std()).isCloseTo(0.5, within(1e-12));
    }
}
