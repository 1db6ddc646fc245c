package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;

/** Gamma statistics of every LayerNorm: where BERT's folklore says the last encoder LN's gamma grows. */
public final class LayerNormProbe {
    public record Stats(double mean, double min, double max, double std) {
    }

    private LayerNormProbe() {
    }

    public static boolean isGamma(String name) {
        return (name.contains("LayerNorm") || name.contains("layer_norm")) && name.endsWith(".weight");
    }

    /** LayerNorm weight name → statistics of its gamma, in store order. */
    public static Map<String, Stats> gammaStats(ParameterStore store) {
        Map<String, Stats> out = new LinkedHashMap<>();
        for (Parameter p : store) {
            if (isGamma(p.name())) {
                double mean = p.value().meanNumber().doubleValue();
                double std = p.value().stdNumber().doubleValue();
                out.put(p.name(), new Stats(mean, p.value().minNumber().doubleValue(),
                        p.value().maxNumber().doubleValue(), std));
            }
        }
        return out;
    }
}
