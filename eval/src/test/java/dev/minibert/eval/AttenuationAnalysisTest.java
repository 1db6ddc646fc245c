package dev.minibert.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttenuationAnalysisTest {
    @TempDir
    Path dir;

    private static List<String> names(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "layer." + i).toList();
    }

    @Test
    void exactGeometricNormsGiveTheirRateWithRSquaredOne() {
        double rate = 1.3;
        double[] norms = new double[6];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = 0.5 * Math.pow(rate, i);
        }
        AttenuationAnalysis a = AttenuationAnalysis.of(names(6), norms);
        assertThat(a.slope()).isCloseTo(Math.log(rate), within(1e-12));
        assertThat(a.ratePerLayer()).isCloseTo(rate, within(1e-12));
        assertThat(a.intercept()).isCloseTo(Math.log(0.5), within(1e-12));
        assertThat(a.rSquared()).isCloseTo(1.0, within(1e-12));
        assertThat(a.firstOverLast()).isCloseTo(Math.pow(rate, -5), within(1e-12));
    }

    @Test
    void noisyGeometricNormsRecoverTheRateApproximately() {
        // 12 layers shrinking by 0.8 per layer, each norm off by a seeded log-normal factor of ~5%
        SplittableRandom rnd = new SplittableRandom(7);
        double[] norms = new double[12];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = 2.0 * Math.pow(0.8, i) * Math.exp(0.05 * gaussian(rnd));
        }
        AttenuationAnalysis a = AttenuationAnalysis.of(names(12), norms);
        // slope standard error is 0.05 / sqrt(sum (i - 5.5)^2) = 0.05 / 11.96 ~ 0.004: 0.02 is 5 standard errors
        assertThat(a.slope()).isCloseTo(Math.log(0.8), within(0.02));
        assertThat(a.rSquared()).isBetween(0.98, 1.0 - 1e-9);
    }

    private static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    @Test
    void groupNormsUseOnlyTheEncoderLayersInDepthOrder() {
        Map<String, Double> groups = new LinkedHashMap<>();
        groups.put("embeddings", 100.0);
        groups.put("layer.0", 1.0);
        groups.put("layer.1", 2.0);
        groups.put("layer.2", 4.0);
        groups.put("cls", 100.0);
        AttenuationAnalysis a = AttenuationAnalysis.ofGroupNorms(groups);
        assertThat(a.layers()).containsExactly("layer.0", "layer.1", "layer.2");
        assertThat(a.ratePerLayer()).isCloseTo(2.0, within(1e-12));
        assertThat(a.firstOverLast()).isEqualTo(0.25);
    }

    @Test
    void aZeroNormLeavesTheFitUndefinedButKeepsTheRatio() {
        AttenuationAnalysis a = AttenuationAnalysis.of(names(3), new double[] {0, 1, 2});
        assertThat(a.slope()).isNaN();
        assertThat(a.rSquared()).isNaN();
        assertThat(a.firstOverLast()).isZero();
    }

    @Test
    void missingLayerIsAnError() {
        assertThatThrownBy(() -> AttenuationAnalysis.ofGroupNorms(Map.of("layer.1", 1.0, "layer.2", 1.0)))
                .hasMessageContaining("out of order or missing");
        assertThatThrownBy(() -> AttenuationAnalysis.of(names(1), new double[] {1}))
                .hasMessageContaining("at least 2 layers");
    }

    @Test
    void fromMetricsFitsEveryRowWithGradNorms() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, """
                {"step":1,"loss":5.0,"grad_norms":{"embeddings":1.0,"layer.0":1.0,"layer.1":3.0}}
                {"step":1,"eval_loss":4.0}
                {"step":2,"loss":"NaN","skipped":"non-finite loss"}
                {"step":3,"loss":4.0,"grad_norms":{"embeddings":1.0,"layer.0":2.0,"layer.1":1.0}}
                """);
        List<AttenuationAnalysis.AtStep> fits = AttenuationAnalysis.fromMetrics(MetricsLog.read(file));
        assertThat(fits).extracting(AttenuationAnalysis.AtStep::step).containsExactly(1L, 3L);
        assertThat(fits.get(0).analysis().ratePerLayer()).isCloseTo(3.0, within(1e-12));
        assertThat(fits.get(1).analysis().ratePerLayer()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void brokenMetricsLineIsNamed() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1,\"loss\":5.0}\n{\"step\":2,\"lo\n");
        assertThatThrownBy(() -> MetricsLog.read(file)).hasMessageContaining(file + ":2: not JSON");
        Files.writeString(file, "{\"loss\":5.0}\n");
        assertThatThrownBy(() -> MetricsLog.read(file)).hasMessageContaining(file + ":1: not a metrics row");
    }
}
