package dev.minibert.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.train.LayerNormProbe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Where LayerNorm gains (gamma) grow: for every LayerNorm, its gamma statistics over the logged steps of a run (or
 * at the one "step" of a saved model), and the comparison the seed claim is about: the encoder's last LayerNorm (the
 * last layer's output LayerNorm in post-norm, {@code final_layer_norm} in pre-norm) against the other encoder
 * LayerNorms and against the MLM head's LayerNorm.
 */
public final class GammaGrowthAnalysis {
    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.");

    /** What a LayerNorm is, for the comparison. */
    public enum Role { EMBEDDINGS, ENCODER, LAST_ENCODER, HEAD, OTHER }

    /**
     * One LayerNorm over the steps: at each step the mean, max and (population) std of its gamma vector.
     */
    public record Track(String name, Role role, long[] steps, double[] mean, double[] max, double[] std) {
        public double firstMean() {
            return mean[0];
        }

        public double lastMean() {
            return mean[mean.length - 1];
        }

        public double lastMax() {
            return max[max.length - 1];
        }

        public double lastStd() {
            return std[std.length - 1];
        }

        /** The average over steps of the per-step mean gamma. */
        public double meanOverSteps() {
            double s = 0;
            for (double m : mean) {
                s += m;
            }
            return s / mean.length;
        }

        /** The largest single gamma seen at any step. */
        public double maxOverSteps() {
            double best = Double.NEGATIVE_INFINITY;
            for (double m : max) {
                best = Math.max(best, m);
            }
            return best;
        }

        /** Population std over steps of the per-step mean gamma: how much the mean moved. */
        public double stdOverSteps() {
            double avg = meanOverSteps();
            double s = 0;
            for (double m : mean) {
                s += (m - avg) * (m - avg);
            }
            return Math.sqrt(s / mean.length);
        }

        public Series meanSeries() {
            double[] x = new double[steps.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = steps[i];
            }
            return new Series(name, x, mean);
        }
    }

    /**
     * Mean gamma at the last step of the encoder's last LayerNorm, averaged over the other encoder LayerNorms, and
     * of the head's LayerNorm; NaN where a model has no such LayerNorm (e.g. a head without its transform).
     */
    public record Comparison(double lastEncoder, double otherEncoder, double head) {
    }

    private final List<Track> tracks;

    private GammaGrowthAnalysis(List<Track> tracks) {
        this.tracks = List.copyOf(tracks);
    }

    public List<Track> tracks() {
        return tracks;
    }

    /** From the {@code layer_norm_gamma} objects of a run's metrics. */
    public static GammaGrowthAnalysis fromMetrics(MetricsLog log) {
        List<JsonNode> rows = log.rowsWith("layer_norm_gamma");
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(log.file() + ": no layer_norm_gamma in any row");
        }
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (JsonNode r : rows) {
            long step = r.get("step").asLong();
            r.get("layer_norm_gamma").fields().forEachRemaining(e -> points.computeIfAbsent(e.getKey(),
                    k -> new ArrayList<>()).add(new double[] {step, MetricsLog.number(e.getValue().get("mean")),
                    MetricsLog.number(e.getValue().get("max")), MetricsLog.number(e.getValue().get("std"))}));
        }
        List<Track> tracks = new ArrayList<>();
        List<String> names = List.copyOf(points.keySet());
        points.forEach((name, p) -> {
            long[] steps = new long[p.size()];
            double[][] cols = new double[3][p.size()];
            for (int i = 0; i < p.size(); i++) {
                steps[i] = (long) p.get(i)[0];
                for (int c = 0; c < 3; c++) {
                    cols[c][i] = p.get(i)[c + 1];
                }
            }
            tracks.add(new Track(name, roleOf(name, names), steps, cols[0], cols[1], cols[2]));
        });
        return new GammaGrowthAnalysis(tracks);
    }

    /** From a saved model: one step (numbered 0) per LayerNorm, computed as the training probe computes it. */
    public static GammaGrowthAnalysis fromModel(ModelDirectory dir) {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        dir.tensors().forEach((name, t) -> {
            if (Parameter.isLayerNorm(name) && name.endsWith(".weight")) {
                store.add(name, t.shape()).value().assign(t.castTo(DataType.DOUBLE));
            }
        });
        return fromStore(store);
    }

    /** From the LayerNorms of a live model (one step, numbered 0). */
    public static GammaGrowthAnalysis fromStore(ParameterStore store) {
        Map<String, LayerNormProbe.Stats> stats = LayerNormProbe.gammaStats(store);
        List<String> names = List.copyOf(stats.keySet());
        List<Track> tracks = new ArrayList<>();
        stats.forEach((name, s) -> tracks.add(new Track(name, roleOf(name, names), new long[] {0},
                new double[] {s.mean()}, new double[] {s.max()}, new double[] {s.std()})));
        return new GammaGrowthAnalysis(tracks);
    }

    /**
     * The role of a LayerNorm weight among all of a model's LayerNorm names: in post-norm the encoder's last
     * LayerNorm is the highest layer's {@code output.LayerNorm}; a pre-norm stack ends in {@code final_layer_norm}.
     */
    static Role roleOf(String name, List<String> allNames) {
        if (name.startsWith("cls.")) {
            return Role.HEAD;
        }
        if (name.contains("embeddings.")) {
            return Role.EMBEDDINGS;
        }
        if (name.contains("final_layer_norm")) {
            return Role.LAST_ENCODER;
        }
        Matcher m = LAYER.matcher(name);
        if (!m.find()) {
            return Role.OTHER;
        }
        boolean preNorm = allNames.stream().anyMatch(n -> n.contains("final_layer_norm"));
        int top = allNames.stream().map(LAYER::matcher).filter(Matcher::find)
                .mapToInt(x -> Integer.parseInt(x.group(1))).max().orElse(-1);
        boolean last = !preNorm && Integer.parseInt(m.group(1)) == top && name.contains(".output.LayerNorm")
                && !name.contains("attention.output");
        return last ? Role.LAST_ENCODER : Role.ENCODER;
    }

    public Comparison comparison() {
        double last = Double.NaN;
        double head = Double.NaN;
        double others = 0;
        int n = 0;
        for (Track t : tracks) {
            switch (t.role()) {
                case LAST_ENCODER -> last = t.lastMean();
                case HEAD -> head = t.lastMean();
                case ENCODER -> {
                    others += t.lastMean();
                    n++;
                }
                default -> { }
            }
        }
        return new Comparison(last, n == 0 ? Double.NaN : others / n, head);
    }

    /** One sentence with the comparison's numbers. */
    public String comparisonSentence() {
        Comparison c = comparison();
        boolean overSteps = tracks.stream().anyMatch(t -> t.steps().length > 1);
        return String.format(Locale.ROOT, "Mean gamma%s: encoder's last LayerNorm %s, other "
                + "encoder LayerNorms %s (average), MLM head LayerNorm %s.", overSteps ? " at the last logged step" : "",
                Format.number(c.lastEncoder()),
                Format.number(c.otherEncoder()), Format.number(c.head()));
    }

    public static List<String> tableHeader() {
        return List.of("LayerNorm", "role", "mean (first)", "mean (last)", "std (last)", "mean over steps",
                "std of mean over steps", "max over steps", "steps");
    }

    public List<List<String>> tableRows() {
        List<List<String>> rows = new ArrayList<>();
        for (Track t : tracks) {
            rows.add(List.of(t.name(), label(t.role()),
                    Format.number(t.firstMean()), Format.number(t.lastMean()), Format.number(t.lastStd()),
                    Format.number(t.meanOverSteps()), Format.number(t.stdOverSteps()),
                    Format.number(t.maxOverSteps()), Integer.toString(t.steps().length)));
        }
        return rows;
    }

    /** Columns of {@link #modelTableRows}: the statistics at the last (for a saved model, the only) step. */
    public static List<String> modelTableHeader() {
        return List.of("LayerNorm", "role", "mean", "max", "std");
    }

    public List<List<String>> modelTableRows() {
        return tracks.stream().map(t -> List.of(t.name(), label(t.role()), Format.number(t.lastMean()),
                Format.number(t.lastMax()), Format.number(t.lastStd()))).toList();
    }

    private static String label(Role role) {
        return role.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** The per-step mean gamma of every LayerNorm, for a gamma-vs-step chart. */
    public List<Series> meanSeries() {
        return tracks.stream().map(Track::meanSeries).toList();
    }
}
