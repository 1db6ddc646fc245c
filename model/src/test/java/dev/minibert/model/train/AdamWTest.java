package dev.minibert.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamWTest {
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-6;
    private static final double WD = 0.01;
    private static final double[] LRS = {1e-2, 5e-3, 2e-2, 1e-3};
    private static final List<String> NAMES = List.of("bert.encoder.layer.0.attention.self.query.weight",
            "bert.encoder.layer.0.attention.self.query.bias", "bert.embeddings.LayerNorm.weight");

    @TempDir
    Path tmp;

    private static ParameterStore store(DataType type) {
        ParameterStore s = new ParameterStore(type);
        s.add(NAMES.get(0), 2, 3);
        s.add(NAMES.get(1), 3);
        s.add(NAMES.get(2), 3);
        int k = 0;
        for (Parameter p : s) {
            for (int i = 0; i < p.value().length(); i++) {
                p.value().putScalar(i, 0.3 * Math.cos(1.7 * k++));
            }
        }
        return s;
    }

    /** Gradient of element i of parameter q at step t: varied signs and magnitudes, deterministic. */
    private static double grad(int q, int i, int t) {
        return Math.sin(1.3 * i + 2.1 * q + 0.7 * t) * (q + 1) * 0.1;
    }

    private static void setGrads(ParameterStore s, int t) {
        int q = 0;
        for (Parameter p : s) {
            for (int i = 0; i < p.grad().length(); i++) {
                p.grad().putScalar(i, grad(q, i, t));
            }
            q++;
        }
    }

    /** torch.optim.AdamW's formulas, element by element in plain doubles. */
    private static double[][] reference(ParameterStore initial, int steps) {
        int n = initial.size();
        double[][] p = new double[n][];
        double[][] m = new double[n][];
        double[][] v = new double[n][];
        List<Parameter> params = initial.all();
        for (int q = 0; q < n; q++) {
            p[q] = params.get(q).value().dup().data().asDouble();
            m[q] = new double[p[q].length];
            v[q] = new double[p[q].length];
        }
        for (int t = 1; t <= steps; t++) {
            double lr = LRS[t - 1];
            double bc1 = 1 - Math.pow(B1, t);
            double bc2 = 1 - Math.pow(B2, t);
            for (int q = 0; q < n; q++) {
                boolean decays = q == 0; // the matrix; never the bias or the LayerNorm gain
                for (int i = 0; i < p[q].length; i++) {
                    double g = grad(q, i, t);
                    if (decays) {
                        p[q][i] *= 1 - lr * WD;
                    }
                    m[q][i] = B1 * m[q][i] + (1 - B1) * g;
                    v[q][i] = B2 * v[q][i] + (1 - B2) * g * g;
                    p[q][i] -= (lr / bc1) * m[q][i] / (Math.sqrt(v[q][i]) / Math.sqrt(bc2) + EPS);
                }
            }
        }
        return p;
    }

    private static void run(AdamW opt, ParameterStore s, int fromStep, int toStep) {
        for (int t = fromStep; t <= toStep; t++) {
            setGrads(s, t);
            opt.step(s, LRS[t - 1]);
        }
    }

    @Test
    void firstStepMovesEachWeightByLrTimesSignOfItsGradient() {
        // bias-corrected m/sqrt(v) is g/|g| on step 1: the closed form of Adam's first step
        ParameterStore s = new ParameterStore(DataType.DOUBLE);
        Parameter b = s.add("dense.bias", 2);
        b.value().putScalar(0, 0.5);
        b.value().putScalar(1, -0.25);
        b.grad().putScalar(0, 0.2);
        b.grad().putScalar(1, -3.0);

        new AdamW(B1, B2, 1e-8, WD).step(s, 0.1);

        assertThat(b.value().getDouble(0)).isCloseTo(0.5 - 0.1 * 0.2 / (0.2 + 1e-8), within(1e-15));
        assertThat(b.value().getDouble(1)).isCloseTo(-0.25 + 0.1 * 3.0 / (3.0 + 1e-8), within(1e-15));
    }

    @Test
    void matchesTheReferenceFormulasStepByStepInDouble() {
        ParameterStore s = store(DataType.DOUBLE);
        AdamW opt = new AdamW(B1, B2, EPS, WD);
        for (int t = 1; t <= LRS.length; t++) {
            double[][] expected = reference(store(DataType.DOUBLE), t);
            run(opt, s, t, t);
            assertThat(opt.stepCount()).isEqualTo(t);
            List<Parameter> params = s.all();
            for (int q = 0; q < params.size(); q++) {
                double[] got = params.get(q).value().dup().data().asDouble();
                for (int i = 0; i < got.length; i++) {
                    assertThat(got[i]).as("%s[%d] after step %d", NAMES.get(q), i, t)
                            .isCloseTo(expected[q][i], within(1e-14));
                }
            }
        }
    }

    @Test
    void floatParametersGetFloatMomentsAndTrackTheDoubleReference() {
        ParameterStore s = store(DataType.FLOAT);
        AdamW opt = new AdamW(B1, B2, EPS, WD);
        run(opt, s, 1, LRS.length);
        double[][] expected = reference(store(DataType.DOUBLE), LRS.length);

        assertThat(opt.state().values()).allMatch(a -> a.dataType() == DataType.FLOAT);
        List<Parameter> params = s.all();
        for (int q = 0; q < params.size(); q++) {
            for (int i = 0; i < expected[q].length; i++) {
                assertThat(params.get(q).value().getDouble(i)).isCloseTo(expected[q][i], within(2e-6));
            }
        }
    }

    @Test
    void weightDecayShrinksMatricesOnlyNeverBiasesOrLayerNorm() {
        ParameterStore s = store(DataType.DOUBLE);
        Map<String, double[]> before = new LinkedHashMap<>();
        s.forEach(p -> before.put(p.name(), p.value().dup().data().asDouble()));

        new AdamW(B1, B2, EPS, 0.1).step(s, 0.5); // zero gradients: only the decay can move anything

        double[] w = s.get(NAMES.get(0)).value().dup().data().asDouble();
        for (int i = 0; i < w.length; i++) {
            assertThat(w[i]).isEqualTo(before.get(NAMES.get(0))[i] * (1 - 0.5 * 0.1));
        }
        assertThat(s.get(NAMES.get(1)).value().dup().data().asDouble()).containsExactly(before.get(NAMES.get(1)));
        assertThat(s.get(NAMES.get(2)).value().dup().data().asDouble()).containsExactly(before.get(NAMES.get(2)));
    }

    @Test
    void savedStateResumesBitIdentically() throws IOException {
        ParameterStore uninterrupted = store(DataType.FLOAT);
        AdamW opt = new AdamW(B1, B2, EPS, WD);
        run(opt, uninterrupted, 1, 2);
        Path file = tmp.resolve("optimizer.safetensors");
        opt.save(file);
        ParameterStore resumed = store(DataType.FLOAT);
        for (Parameter p : uninterrupted) {
            resumed.get(p.name()).value().assign(p.value());
        }
        run(opt, uninterrupted, 3, 4);

        AdamW loaded = AdamW.load(file);
        assertThat(loaded.stepCount()).isEqualTo(2);
        assertThat(loaded.state().keySet()).containsExactly(
                NAMES.get(0) + ".exp_avg", NAMES.get(0) + ".exp_avg_sq", NAMES.get(1) + ".exp_avg",
                NAMES.get(1) + ".exp_avg_sq", NAMES.get(2) + ".exp_avg", NAMES.get(2) + ".exp_avg_sq");
        run(loaded, resumed, 3, 4);

        assertThat(loaded.stepCount()).isEqualTo(4);
        for (Parameter p : uninterrupted) {
            assertThat(bits(resumed.get(p.name()).value())).as(p.name()).containsExactly(bits(p.value()));
        }
    }

    @Test
    void loadRejectsIncompleteState() throws IOException {
        Path file = tmp.resolve("bad.safetensors");
        SafeTensors.write(file, Map.of("w.exp_avg", Nd4j.zeros(DataType.FLOAT, 2)), Map.of("step", "1", "beta1", "0.9",
                "beta2", "0.999", "eps", "1e-8", "weight_decay", "0"));
        assertThatThrownBy(() -> AdamW.load(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("w.exp_avg has no matching w.exp_avg_sq");

        SafeTensors.write(file, Map.of(), Map.of("step", "1"));
        assertThatThrownBy(() -> AdamW.load(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("lacks metadata \"beta1\"");
    }

    @Test
    void rejectsBadHyperparameters() {
        assertThatThrownBy(() -> new AdamW(1.0, B2, EPS, WD)).hasMessageContaining("beta1");
        assertThatThrownBy(() -> new AdamW(B1, -0.1, EPS, WD)).hasMessageContaining("beta2");
        assertThatThrownBy(() -> new AdamW(B1, B2, Double.NaN, WD)).hasMessageContaining("eps");
        assertThatThrownBy(() -> new AdamW(B1, B2, EPS, -1)).hasMessageContaining("weight decay");
        assertThatThrownBy(() -> new AdamW(B1, B2, EPS, WD).step(store(DataType.FLOAT), Double.NaN))
                .hasMessageContaining("learning rate");
    }

    /** Raw bit patterns, so "identical" means identical. */
    private static int[] bits(INDArray a) {
        float[] f = a.dup().data().asFloat();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Float.floatToRawIntBits(f[i]);
        }
        return out;
    }
}
