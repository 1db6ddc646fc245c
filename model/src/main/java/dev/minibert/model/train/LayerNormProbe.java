package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Statistics of every LayerNorm gain (gamma): where it grows away from 1 during training. */
public final class LayerNormProbe {
    private LayerNormProbe() {
    }

    /** @param std population standard deviation (divides by n) */
    public record Stats(double mean, double min, double max, double std) {
    }

    /** Gamma statistics per LayerNorm weight, keyed by parameter name, in store order. */
    public static Map<String, Stats> gammaStats(ParameterStore store) {
        Map<String, Stats> out = new LinkedHashMap<>();
        for (Parameter p : store) {
            String n = p.name();
            if (Parameter.isLayerNorm(n) && n.endsWith(".weight")) {
                INDArray g = p.value().castTo(DataType.DOUBLE);
                out.put(n, stats(g.data().asDouble()));
            }
        }
        return out;
    }

    /** In Java: gammas are [H] vectors, and ND4J's scalar reductions are slow per call. */
    private static Stats stats(double[] v) {
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = sum / v.length;
        double squares = 0;
        for (double x : v) {
            squares += (x - mean) * (x - mean);
        }
        return new Stats(mean, min, max, Math.sqrt(squares / v.length));
    }
}
