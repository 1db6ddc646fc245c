package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * L2 norms of gradients per parameter and per layer group (embeddings, layer.0 … layer.N-1,
 * final_layer_norm, pooler, cls, classifier): the raw data of the gradient-attenuation experiments.
 */
public final class GradientProbe {
    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.");

    private GradientProbe() {
    }

    /** The group a parameter belongs to, from its HF name. */
    public static String groupOf(String name) {
        Matcher m = LAYER.matcher(name);
        if (m.find()) {
            return "layer." + m.group(1);
        }
        String bare = name.startsWith("bert.") ? name.substring(5) : name;
        int dot = bare.indexOf('.');
        return dot < 0 ? bare : bare.substring(0, dot);
    }

    public static Map<String, Double> parameterNorms(ParameterStore store) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Parameter p : store) {
            out.put(p.name(), p.grad().norm2Number().doubleValue());
        }
        return out;
    }

    /** Group norms in store order (embeddings first, then layers in depth order, then heads). */
    public static Map<String, Double> groupNorms(ParameterStore store) {
        Map<String, Double> squares = new LinkedHashMap<>();
        for (Parameter p : store) {
            double n = p.grad().norm2Number().doubleValue();
            squares.merge(groupOf(p.name()), n * n, Double::sum);
        }
        squares.replaceAll((k, v) -> Math.sqrt(v));
        return squares;
    }

    public static double globalNorm(ParameterStore store) {
        double sum = 0;
        for (Parameter p : store) {
            double n = p.grad().norm2Number().doubleValue();
            sum += n * n;
        }
        return Math.sqrt(sum);
    }
}
