package dev.minibert.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.train.GradientProbe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * How gradient norms change with depth: the per-layer norms, the ratio first layer / last layer, and a least-squares
 * fit of ln(norm) against the layer index (Commons Math {@link SimpleRegression}). The slope is the change of
 * ln(norm) per layer going up the stack: {@code exp(slope)} is the fitted factor between one layer and the next, so
 * a positive slope means gradients shrink towards the input (attenuate). A norm that is zero or not finite (a frozen
 * or diverged layer) has no logarithm: the fit is then NaN rather than a fit of the remaining layers.
 *
 * @param layers layer names, input side first
 * @param norms  one norm per layer
 */
public record AttenuationAnalysis(List<String> layers, double[] norms, double firstOverLast, double slope,
                                  double intercept, double rSquared) {
    private static final Pattern LAYER = Pattern.compile("layer\\.(\\d+)");

    /** A fit of one logged step of a run. */
    public record AtStep(long step, AttenuationAnalysis analysis) {
    }

    public AttenuationAnalysis {
        layers = List.copyOf(layers);
        norms = norms.clone();
    }

    @Override
    public double[] norms() {
        return norms.clone();
    }

    /** The fitted factor between a layer's norm and the norm of the layer below it. */
    public double ratePerLayer() {
        return Math.exp(slope);
    }

    /** Fits norms given input side first; at least two layers. */
    public static AttenuationAnalysis of(List<String> layers, double[] norms) {
        if (layers.size() != norms.length) {
            throw new IllegalArgumentException(layers.size() + " layer names for " + norms.length + " norms");
        }
        if (norms.length < 2) {
            throw new IllegalArgumentException("a depth fit needs at least 2 layers, got " + norms.length);
        }
        boolean loggable = true;
        SimpleRegression fit = new SimpleRegression();
        for (int i = 0; i < norms.length; i++) {
            loggable &= Double.isFinite(norms[i]) && norms[i] > 0;
            fit.addData(i, Math.log(norms[i]));
        }
        double ratio = norms[0] / norms[norms.length - 1];
        if (!loggable) {
            return new AttenuationAnalysis(layers, norms, ratio, Double.NaN, Double.NaN, Double.NaN);
        }
        // R² is NaN when all norms are equal: nothing to explain
        return new AttenuationAnalysis(layers, norms, ratio, fit.getSlope(), fit.getIntercept(), fit.getRSquare());
    }

    /** Fits the {@code layer.i} entries of {@link GradientProbe#groupNorms} (other groups are ignored). */
    public static AttenuationAnalysis ofGroupNorms(Map<String, Double> groupNorms) {
        List<String> layers = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        groupNorms.forEach((group, norm) -> {
            Matcher m = LAYER.matcher(group);
            if (m.matches()) {
                if (Integer.parseInt(m.group(1)) != layers.size()) {
                    throw new IllegalArgumentException("layer groups out of order or missing: " + groupNorms.keySet());
                }
                layers.add(group);
                norms.add(norm);
            }
        });
        return of(layers, norms.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Fits the weight-gradient norms now held by a store (after a backward pass). */
    public static AttenuationAnalysis ofStore(ParameterStore store) {
        return ofGroupNorms(GradientProbe.groupNorms(store));
    }

    /** One fit per row of the log that has {@code grad_norms}. */
    public static List<AtStep> fromMetrics(MetricsLog log) {
        List<AtStep> out = new ArrayList<>();
        for (JsonNode row : log.rowsWith("grad_norms")) {
            Map<String, Double> norms = new LinkedHashMap<>();
            row.get("grad_norms").fields().forEachRemaining(e -> norms.put(e.getKey(), MetricsLog.number(e.getValue())));
            try {
                out.add(new AtStep(row.get("step").asLong(), ofGroupNorms(norms)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(log.file() + ", step " + row.get("step") + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
