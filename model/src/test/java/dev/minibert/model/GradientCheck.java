package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences in double precision against analytic gradients. The loss is always
 * L = Σ R ⊙ output for a fixed random R, so backward is called with dy = R.
 */
public final class GradientCheck {
    public static final double EPS = 1e-6;
    public static final double MAX_REL_ERROR = 1e-5;
    /**
     * Denominator floor: the finite difference itself carries ~1e-9 absolute round-off (1e-15·|L| / EPS),
     * so relative errors of gradients far below that floor measure noise, not the backward pass.
     */
    static final double FLOOR = 1e-3;
    static final int SAMPLES = 50;

    public record Probe(String name, INDArray value, INDArray analytic) {
    }

    private GradientCheck() {
    }

    public static INDArray randn(long seed, long... shape) {
        Random r = new Random(seed);
        double[] v = new double[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    /** Every parameter ~ N(0, 0.5²), LayerNorm gammas 1 + N(0, 0.3²): no value hides a missing factor. */
    public static void randomize(ParameterStore store, long seed) {
        Random r = new Random(seed);
        for (Parameter p : store) {
            boolean gamma = Parameter.isLayerNorm(p.name()) && p.name().endsWith(".weight");
            double[] v = new double[(int) p.value().length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = gamma ? 1 + 0.3 * r.nextGaussian() : 0.5 * r.nextGaussian();
            }
            p.value().assign(Nd4j.createFromArray(v).reshape(p.shape()).castTo(p.value().dataType()));
        }
    }

    public static double dot(INDArray a, INDArray b) {
        return VectorNorm.dot(a, b);
    }

    public static List<Probe> parameters(ParameterStore store) {
        List<Probe> probes = new ArrayList<>();
        for (Parameter p : store) {
            probes.add(new Probe(p.name(), p.value(), p.grad()));
        }
        return probes;
    }

    /** Checks a single-input module: its parameters and its input gradient. */
    public static double checkModule(ParameterStore store, INDArray input, UnaryOperator<INDArray> forward,
                              UnaryOperator<INDArray> backward, long seed) {
        INDArray r = randn(seed, forward.apply(input).shape());
        store.zeroGrad();
        INDArray dx = backward.apply(r).dup();
        List<Probe> probes = parameters(store);
        probes.add(new Probe("input", input, dx));
        return assertMatches(() -> dot(forward.apply(input), r), probes, seed);
    }

    /**
     * Compares at every element of small probes and at {@value #SAMPLES} distinct seeded elements of larger ones.
     * Returns the worst relative error seen.
     */
    public static double assertMatches(DoubleSupplier loss, List<Probe> probes, long seed) {
        Random random = new Random(seed);
        double worst = 0;
        List<String> failures = new ArrayList<>();
        for (Probe p : probes) {
            assertThat(p.value().dataType()).as(p.name()).isEqualTo(DataType.DOUBLE);
            int n = (int) p.value().length();
            List<Integer> order = new ArrayList<>(java.util.stream.IntStream.range(0, n).boxed().toList());
            java.util.Collections.shuffle(order, random);
            for (int i : order.subList(0, Math.min(n, SAMPLES))) {
                double original = p.value().getDouble(i);
                p.value().putScalar(i, original + EPS);
                double plus = loss.getAsDouble();
                p.value().putScalar(i, original - EPS);
                double minus = loss.getAsDouble();
                p.value().putScalar(i, original);
                double numeric = (plus - minus) / (2 * EPS);
                double analytic = p.analytic().getDouble(i);
                double rel = Math.abs(numeric - analytic) / Math.max(FLOOR, Math.max(Math.abs(numeric), Math.abs(analytic)));
                worst = Math.max(worst, rel);
                if (!(rel < MAX_REL_ERROR)) {
                    failures.add(String.format("%s[%d]: analytic %.10g, numeric %.10g, rel %.3g", p.name(), i,
                            analytic, numeric, rel));
                }
            }
        }
        assertThat(failures).as("gradient mismatches (worst rel %.3g)", worst).isEmpty();
        return worst;
    }
}
