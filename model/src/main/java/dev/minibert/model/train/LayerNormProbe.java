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
            if ((n.contains("LayerNorm") || n.contains("layer_norm")) && n.endsWith(".weight")) {
                INDArray g = p.value().castTo(DataType.DOUBLE);
                out.put(n, new Stats(g.meanNumber().doubleValue(), g.minNumber().doubleValue(),
                        g.maxNumber().doubleValue(), g.stdNumber(false).doubleValue()));
            }
        }
        return out;
    }
}
