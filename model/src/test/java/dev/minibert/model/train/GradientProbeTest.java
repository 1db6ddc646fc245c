package dev.minibert.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.model.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class GradientProbeTest {
    @Test
    void groupsByHuggingFaceNameInModelOrder() {
        ParameterStore s = new ParameterStore(DataType.DOUBLE);
        // registration order deliberately scrambled; a gradient of n entries all equal to c has norm |c| sqrt(n)
        s.add("cls.predictions.bias", 4).grad().assign(1);                                   // 2
        s.add("bert.encoder.layer.10.output.dense.weight", 2, 2).grad().assign(-0.5);        // 1
        s.add("bert.encoder.layer.2.attention.self.query.weight", 3, 3).grad().assign(1);    // 3
        s.add("bert.encoder.layer.2.attention.self.query.bias", 16).grad().assign(1);        // 4
        s.add("bert.embeddings.LayerNorm.weight", 1).grad().assign(7);                       // 7
        s.add("bert.pooler.dense.weight", 1).grad().assign(2);                               // 2
        s.add("bert.final_layer_norm.weight", 1).grad().assign(3);                           // 3
        s.add("classifier.bias", 1).grad().assign(-6);                                       // 6

        Map<String, Double> groups = GradientProbe.groupNorms(s);

        assertThat(groups.keySet()).containsExactly("embeddings", "layer.2", "layer.10", "final_layer_norm", "pooler",
                "cls", "classifier");
        assertThat(groups.get("embeddings")).isCloseTo(7, within(1e-12));
        assertThat(groups.get("layer.2")).isCloseTo(5, within(1e-12)); // sqrt(3² + 4²)
        assertThat(groups.get("layer.10")).isCloseTo(1, within(1e-12));
        assertThat(groups.get("final_layer_norm")).isCloseTo(3, within(1e-12));
        assertThat(groups.get("pooler")).isCloseTo(2, within(1e-12));
        assertThat(groups.get("cls")).isCloseTo(2, within(1e-12));
        assertThat(groups.get("classifier")).isCloseTo(6, within(1e-12));

        Map<String, Double> params = GradientProbe.parameterNorms(s);
        assertThat(params.keySet()).containsExactlyElementsOf(s.all().stream().map(p -> p.name()).toList());
        assertThat(params.get("bert.encoder.layer.2.attention.self.query.bias")).isCloseTo(4, within(1e-12));
        // sqrt(2² + 1 + 3² + 4² + 7² + 2² + 3² + 6²) = sqrt(128)
        assertThat(GradientProbe.globalNorm(s)).isCloseTo(Math.sqrt(128), within(1e-12));
    }

    @Test
    void namesWithoutTheBertPrefixGroupTheSameWay() {
        assertThat(GradientProbe.groupOf("encoder.layer.3.output.LayerNorm.bias")).isEqualTo("layer.3");
        assertThat(GradientProbe.groupOf("embeddings.word_embeddings.weight")).isEqualTo("embeddings");
        assertThat(GradientProbe.groupOf("bert.pooler.dense.bias")).isEqualTo("pooler");
    }
}
