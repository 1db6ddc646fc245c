package dev.minibert.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.eval.GammaGrowthAnalysis.Role;
import dev.minibert.eval.GammaGrowthAnalysis.Track;
import dev.minibert.model.BertConfig;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.pretrain.BertForMaskedLM;
import dev.minibert.tokenizer.Vocab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class GammaGrowthAnalysisTest {
    private static final String EMB = "bert.embeddings.LayerNorm.weight";
    private static final String L0A = "bert.encoder.layer.0.attention.output.LayerNorm.weight";
    private static final String L0O = "bert.encoder.layer.0.output.LayerNorm.weight";
    private static final String L1A = "bert.encoder.layer.1.attention.output.LayerNorm.weight";
    private static final String L1O = "bert.encoder.layer.1.output.LayerNorm.weight";
    private static final String HEAD = "cls.predictions.transform.LayerNorm.weight";

    @TempDir
    Path dir;

    private static String stats(double mean, double max, double std) {
        return String.format(Locale.ROOT, "{\"mean\":%s,\"min\":0.5,\"max\":%s,\"std\":%s}", mean, max, std);
    }

    /** Three logged steps; the last encoder LayerNorm's mean goes 1.0, 1.1, 1.3, every other one stays near 1. */
    private Path metrics() throws IOException {
        List<String> lines = new ArrayList<>();
        double[] lastMean = {1.0, 1.1, 1.3};
        double[] lastMax = {1.0, 1.6, 2.2};
        for (int s = 0; s < 3; s++) {
            lines.add("{\"step\":" + (10 * (s + 1)) + ",\"loss\":3.0,\"layer_norm_gamma\":{"
                    + "\"" + EMB + "\":" + stats(1.0, 1.0, 0.0) + ","
                    + "\"" + L0A + "\":" + stats(1.0 - 0.01 * s, 1.1, 0.01) + ","
                    + "\"" + L0O + "\":" + stats(1.0, 1.2, 0.02) + ","
                    + "\"" + L1A + "\":" + stats(1.0 + 0.01 * s, 1.3, 0.03) + ","
                    + "\"" + L1O + "\":" + stats(lastMean[s], lastMax[s], 0.1 * s) + ","
                    + "\"" + HEAD + "\":" + stats(0.97, 1.05, 0.01) + "}}");
            lines.add("{\"step\":" + (10 * (s + 1)) + ",\"eval_loss\":3.5}");
        }
        Path file = dir.resolve("metrics.jsonl");
        Files.write(file, lines);
        return file;
    }

    @Test
    void statisticsOverStepsMatchHandComputedValues() throws IOException {
        GammaGrowthAnalysis g = GammaGrowthAnalysis.fromMetrics(MetricsLog.read(metrics()));
        assertThat(g.tracks()).extracting(Track::name).containsExactly(EMB, L0A, L0O, L1A, L1O, HEAD);
        assertThat(g.tracks()).extracting(Track::role).containsExactly(Role.EMBEDDINGS, Role.ENCODER, Role.ENCODER,
                Role.ENCODER, Role.LAST_ENCODER, Role.HEAD);
        Track last = g.tracks().get(4);
        assertThat(last.steps()).containsExactly(10, 20, 30);
        assertThat(last.firstMean()).isEqualTo(1.0);
        assertThat(last.lastMean()).isEqualTo(1.3);
        assertThat(last.lastStd()).isCloseTo(0.2, within(1e-12));
        // (1.0 + 1.1 + 1.3) / 3; deviations -0.1333, -0.0333, 0.1667 -> sqrt(0.046667 / 3)
        assertThat(last.meanOverSteps()).isCloseTo(3.4 / 3, within(1e-12));
        assertThat(last.stdOverSteps()).isCloseTo(Math.sqrt((0.4 * 0.4 + 0.1 * 0.1 + 0.5 * 0.5) / 9 / 3), within(1e-12));
        assertThat(last.maxOverSteps()).isEqualTo(2.2);

        GammaGrowthAnalysis.Comparison c = g.comparison();
        assertThat(c.lastEncoder()).isEqualTo(1.3);
        assertThat(c.otherEncoder()).isCloseTo((0.98 + 1.0 + 1.02) / 3, within(1e-12));
        assertThat(c.head()).isEqualTo(0.97);
        assertThat(g.comparisonSentence()).contains("last LayerNorm 1.300", "encoder LayerNorms 1.000",
                "head LayerNorm 0.9700");
        assertThat(g.tableRows()).hasSize(6).allSatisfy(r -> assertThat(r).hasSameSizeAs(GammaGrowthAnalysis.tableHeader()));
        assertThat(g.tableRows().get(4)).containsExactly(L1O, "last encoder", "1.000", "1.300", "0.2000", "1.133",
                "0.1247", "2.200", "3");
    }

    @Test
    void preNormStackEndsInItsFinalLayerNorm() {
        List<String> names = List.of(L0A, L0O, L1A, L1O, "bert.final_layer_norm.weight");
        assertThat(names.stream().map(n -> GammaGrowthAnalysis.roleOf(n, names)).toList()).containsExactly(
                Role.ENCODER, Role.ENCODER, Role.ENCODER, Role.ENCODER, Role.LAST_ENCODER);
    }

    @Test
    void savedModelGivesTheGammaOfEachLayerNorm() throws IOException {
        BertConfig config = BertConfig.builder().vocabSize(Vocab.SPECIAL_TOKENS.size() + 1).hiddenSize(4)
                .numHiddenLayers(2).numAttentionHeads(1).intermediateSize(8).maxPositionEmbeddings(8).build();
        List<String> tokens = new ArrayList<>(Vocab.SPECIAL_TOKENS);
        tokens.add("x");
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertForMaskedLM(config, store, true);
        Initializer.initialize(store, 0.02, 1);
        store.get(L1O).value().assign(Nd4j.createFromArray(1f, 2f, 3f, 4f));
        Path model = dir.resolve("model");
        ModelDirectory.save(model, config, Vocab.of(tokens), true, store, Map.of());

        GammaGrowthAnalysis g = GammaGrowthAnalysis.fromModel(ModelDirectory.open(model));
        assertThat(g.tracks()).extracting(Track::name).containsExactly(EMB, L0A, L0O, L1A, L1O, HEAD);
        Track last = g.tracks().get(4);
        assertThat(last.role()).isEqualTo(Role.LAST_ENCODER);
        assertThat(last.lastMean()).isCloseTo(2.5, within(1e-12));
        assertThat(last.lastStd()).isCloseTo(Math.sqrt(1.25), within(1e-7));
        assertThat(last.maxOverSteps()).isEqualTo(4.0);
        assertThat(g.comparison().otherEncoder()).isEqualTo(1.0); // LayerNorm gains start at 1
    }
}
