package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class InitializerTest {
    /** sd of N(0,1) truncated at ±2: sqrt(1 - 4φ(2)/(Φ(2)-Φ(-2))). */
    private static final double TRUNCATED_SD = 0.8796;

    private static ParameterStore model(BertConfig.NormStyle style) {
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertConfig config = BertConfig.builder().vocabSize(3000).hiddenSize(32).numHiddenLayers(2)
                .numAttentionHeads(2).intermediateSize(64).maxPositionEmbeddings(16).normStyle(style).build();
        new BertModel(config, store, "bert.", true);
        return store;
    }

    @Test
    void truncatedNormalStatisticsZeroBiasesAndUnitLayerNorms() {
        double std = 0.02;
        ParameterStore store = model(BertConfig.NormStyle.PRE);
        Initializer.initialize(store, std, 1);
        INDArray w = store.get("bert.embeddings.word_embeddings.weight").value().castTo(DataType.DOUBLE);
        long n = w.length();
        double sd = w.stdNumber().doubleValue();
        assertThat(w.meanNumber().doubleValue()).isCloseTo(0, within(5 * TRUNCATED_SD * std / Math.sqrt(n)));
        // sd of the sample sd of a truncated normal ≈ σ_t·sqrt((κ-1)/(4n)), kurtosis κ < 3: 5 of them
        assertThat(sd).isCloseTo(TRUNCATED_SD * std, within(5 * TRUNCATED_SD * std * Math.sqrt(0.5 / n)));
        for (Parameter p : store) {
            INDArray v = p.value();
            if (Parameter.isLayerNorm(p.name())) {
                assertThat(v.minNumber().doubleValue()).as(p.name()).isEqualTo(p.name().endsWith(".weight") ? 1 : 0);
                assertThat(v.maxNumber().doubleValue()).as(p.name()).isEqualTo(p.name().endsWith(".weight") ? 1 : 0);
            } else if (p.name().endsWith(".bias")) {
                assertThat(v.amaxNumber().doubleValue()).as(p.name()).isZero();
            } else {
                assertThat(v.amaxNumber().doubleValue()).as(p.name()).isLessThanOrEqualTo(2 * std * (1 + 1e-6)).isPositive();
                assertThat(v.stdNumber().doubleValue()).as(p.name()).isCloseTo(TRUNCATED_SD * std, within(0.25 * std));
            }
        }
    }

    @Test
    void sameSeedSameModelDifferentSeedDifferentModel() {
        ParameterStore a = model(BertConfig.NormStyle.POST);
        ParameterStore b = model(BertConfig.NormStyle.POST);
        ParameterStore c = model(BertConfig.NormStyle.POST);
        Initializer.initialize(a, 0.02, 5);
        Initializer.initialize(b, 0.02, 5);
        Initializer.initialize(c, 0.02, 6);
        for (Parameter p : a) {
            assertThat(b.get(p.name()).value()).as(p.name()).isEqualTo(p.value());
        }
        assertThat(c.get("bert.encoder.layer.1.attention.self.query.weight").value())
                .isNotEqualTo(a.get("bert.encoder.layer.1.attention.self.query.weight").value());
    }

    @Test
    void xavierUniformForLinearsTruncatedNormalForEmbeddings() {
        ParameterStore store = model(BertConfig.NormStyle.POST);
        Initializer.xavier(store, 0.02, 3);
        INDArray w = store.get("bert.encoder.layer.0.intermediate.dense.weight").value().castTo(DataType.DOUBLE);
        double bound = Math.sqrt(6.0 / (64 + 32));
        assertThat(w.amaxNumber().doubleValue()).isLessThanOrEqualTo(bound).isGreaterThan(0.95 * bound);
        // U(-a, a) has sd a/sqrt(3)
        assertThat(w.stdNumber().doubleValue()).isCloseTo(bound / Math.sqrt(3), within(0.05 * bound));
        INDArray e = store.get("bert.embeddings.word_embeddings.weight").value();
        assertThat(e.amaxNumber().doubleValue()).isLessThanOrEqualTo(0.04 * (1 + 1e-6));
        assertThat(e.stdNumber().doubleValue()).isCloseTo(TRUNCATED_SD * 0.02, within(0.001));
        assertThat(store.get("bert.encoder.layer.0.output.LayerNorm.weight").value().minNumber().doubleValue()).isEqualTo(1);
    }
}
