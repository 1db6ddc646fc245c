package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every parameter's gradient in a store, flattened, and their comparison (gradient accumulation tests). */
public final class StoreGradients {
    private StoreGradients() {
    }

    /** A copy of each parameter's gradient, by name. */
    public static Map<String, double[]> of(ParameterStore store) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Parameter p : store) {
            out.put(p.name(), p.grad().dup().reshape(p.grad().length()).toDoubleVector());
        }
        return out;
    }

    /** The largest magnitude of any entry. */
    public static double largest(Map<String, double[]> gradients) {
        return gradients.values().stream().flatMapToDouble(Arrays::stream).map(Math::abs).max().orElse(0);
    }

    /**
     * Every entry of {@code actual} within {@code relative} times the largest entry of {@code expected} (which must
     * have one above 1e-6, so that there is something to compare).
     */
    public static void assertWithin(Map<String, double[]> actual, Map<String, double[]> expected, double relative) {
        double largest = largest(expected);
        assertThat(largest).as("a gradient to compare").isGreaterThan(1e-6);
        for (Map.Entry<String, double[]> e : expected.entrySet()) {
            double[] a = actual.get(e.getKey());
            double[] b = e.getValue();
            for (int i = 0; i < b.length; i++) {
                assertThat(Math.abs(a[i] - b[i])).as("%s[%d]", e.getKey(), i).isLessThanOrEqualTo(relative * largest);
            }
        }
    }
}
