package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.VectorNorm;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Gradient L2 norms per parameter and per model part, grouped by HuggingFace name. */
public final class GradientProbe {
    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");
    private static final List<String> ORDER_BEFORE_LAYERS = List.of("embeddings");
    private static final List<String> ORDER_AFTER_LAYERS = List.of("final_layer_norm", "pooler", "cls", "classifier");

    private GradientProbe() {
    }

    /** Each parameter's gradient norm, in store order. */
    public static Map<String, Double> parameterNorms(ParameterStore store) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Parameter p : store) {
            out.put(p.name(), norm(p));
        }
        return out;
    }

    /**
     * Gradient norm of each part: {@code embeddings}, {@code layer.0} ... {@code layer.N-1} in numeric
     * order, {@code final_layer_norm}, {@code pooler}, {@code cls}, {@code classifier}; any other part
     * is named by its first name component and listed last.
     */
    public static Map<String, Double> groupNorms(ParameterStore store) {
        Map<String, Double> squares = new LinkedHashMap<>();
        for (Parameter p : store) {
            double n = norm(p);
            squares.merge(groupOf(p.name()), n * n, Double::sum);
        }
        List<String> keys = new ArrayList<>(squares.keySet());
        keys.sort(Comparator.comparingLong(GradientProbe::rank));
        Map<String, Double> out = new LinkedHashMap<>();
        for (String k : keys) {
            out.put(k, Math.sqrt(squares.get(k)));
        }
        return out;
    }

    /** The L2 norm of all gradients taken together, as torch's clip_grad_norm_ computes it. */
    public static double globalNorm(ParameterStore store) {
        double sum = 0;
        for (Parameter p : store) {
            double n = norm(p);
            sum += n * n;
        }
        return Math.sqrt(sum);
    }

    /** The group of a parameter, from its HF name: embeddings, layer.i, final_layer_norm, pooler, cls, classifier. */
    public static String groupOf(String name) {
        String n = name.startsWith("bert.") ? name.substring("bert.".length()) : name;
        Matcher m = LAYER.matcher(n);
        if (m.find()) {
            return "layer." + m.group(1);
        }
        int dot = n.indexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }

    /** Sort key: known parts before layers, layers by index, known heads after, unknown parts last (stable). */
    private static long rank(String group) {
        int before = ORDER_BEFORE_LAYERS.indexOf(group);
        if (before >= 0) {
            return before;
        }
        if (group.startsWith("layer.")) {
            return 1_000 + Long.parseLong(group.substring("layer.".length()));
        }
        int after = ORDER_AFTER_LAYERS.indexOf(group);
        return after >= 0 ? (1L << 40) + after : Long.MAX_VALUE;
    }

    static double norm(Parameter p) {
        return VectorNorm.l2(p.grad());
    }
}
