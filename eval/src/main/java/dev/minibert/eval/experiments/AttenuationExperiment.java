package dev.minibert.eval.experiments;

import dev.minibert.eval.AttenuationAnalysis;
import dev.minibert.eval.Charts;
import dev.minibert.eval.HtmlReport;
import dev.minibert.eval.MetricsLog;
import dev.minibert.eval.Series;
import dev.minibert.model.BertConfig.NormStyle;
import dev.minibert.model.BertConfig;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-layer gradient norms of a post-norm and a pre-norm stack, at init and while pretraining: does the gradient
 * reaching the lower layers of a post-norm BERT shrink, while pre-norm's stays level?
 */
public final class AttenuationExperiment implements Experiment {
    /** Shown when post-norm's layer-0/last-layer weight-gradient ratio is at most this (layer 0 gets a tenth)... */
    static final double ATTENUATED = 0.1;
    /** ...and at least this many times below pre-norm's. */
    static final double GAP = 10;
    /** The fraction of the steps, at the end, whose median ratio stands for "during training". */
    static final double TAIL = 0.5;
    /** The peer's threshold: post-norm's ratio falls below this within ~20 steps. */
    static final double COLLAPSED = 0.01;

    @Override
    public String name() {
        return "attenuation";
    }

    @Override
    public String claim() {
        return "In a post-norm BERT the gradients reaching the lower layers shrink during training; pre-norm keeps them level.";
    }

    @Override
    public Outcome run(ExperimentSetup s) throws IOException {
        Vocab vocab = Vocab.read(s.vocab());
        MlmProbe probe = s.probe(vocab);
        int layers = s.budget().layers();
        long steps = s.steps(s.budget().pretrainSteps());
        Map<NormStyle, GradientSnapshot> init = new LinkedHashMap<>();
        Map<NormStyle, GradientSnapshot> trained = new LinkedHashMap<>();
        Map<NormStyle, double[]> ratios = new LinkedHashMap<>();
        double[] stepNumbers = null;
        for (NormStyle style : NormStyle.values()) {
            String run = tag(style);
            BertConfig config = s.config(vocab.size(), style, 0.02);
            init.put(style, probe.measure(MlmProbe.fresh(config, false, s.seed())));
            Pretraining.run(s.pretraining(run, s.writeConfig(run + "-config.json", config), steps, 0.1, true),
                    s.progress(run));
            trained.put(style, probe.measure(MlmProbe.load(s.dir().resolve(run).resolve("model"), true)));
            Series ratio = layerRatio(MetricsLog.read(s.dir().resolve(run).resolve("metrics.jsonl")));
            ratios.put(style, ratio.y());
            stepNumbers = ratio.x();
        }
        CsvTable perStep = new CsvTable("step", "post_weight_ratio", "pre_weight_ratio");
        for (int i = 0; i < stepNumbers.length; i++) {
            perStep.add((long) stepNumbers[i], ratios.get(NormStyle.POST)[i], ratios.get(NormStyle.PRE)[i]);
        }
        perStep.write(s.dir().resolve("weight_grad_ratio.csv"));
        writeLayerTables(s, init, trained, layers);

        double post = Medians.ofTail(ratios.get(NormStyle.POST), TAIL);
        double pre = Medians.ofTail(ratios.get(NormStyle.PRE), TAIL);
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("steps", steps);
        numbers.put("post_init_activation_ratio", init.get(NormStyle.POST).activationRatio());
        numbers.put("pre_init_activation_ratio", init.get(NormStyle.PRE).activationRatio());
        numbers.put("pre_over_post_layer0_activation_grad_at_init",
                init.get(NormStyle.PRE).activation()[0] / init.get(NormStyle.POST).activation()[0]);
        numbers.put("post_trained_activation_ratio", trained.get(NormStyle.POST).activationRatio());
        numbers.put("pre_trained_activation_ratio", trained.get(NormStyle.PRE).activationRatio());
        numbers.put("post_init_weight_ratio", init.get(NormStyle.POST).weightRatio());
        numbers.put("pre_init_weight_ratio", init.get(NormStyle.PRE).weightRatio());
        numbers.put("post_training_weight_ratio_median", post);
        numbers.put("pre_training_weight_ratio_median", pre);
        numbers.put("post_first_step_below_0.01", firstBelow(ratios.get(NormStyle.POST), stepNumbers, COLLAPSED));
        numbers.put("pre_first_step_below_0.01", firstBelow(ratios.get(NormStyle.PRE), stepNumbers, COLLAPSED));
        int lowest = argMin(ratios.get(NormStyle.POST));
        numbers.put("post_min_weight_ratio", ratios.get(NormStyle.POST)[lowest]);
        numbers.put("post_min_weight_ratio_step", (long) stepNumbers[lowest]);
        return new Outcome(verdict(post, pre, ratios.get(NormStyle.POST)[lowest], (long) stepNumbers[lowest], layers,
                init.get(NormStyle.POST).activationRatio(), init.get(NormStyle.PRE).activationRatio()), numbers);
    }

    /**
     * The claim from the medians of the layer-0/last-layer weight-gradient ratios over the last half of training:
     * shown when post-norm's is at most {@link #ATTENUATED} and {@link #GAP} times below pre-norm's, contradicted
     * when it is not below pre-norm's at all. The lowest post-norm ratio is quoted: attenuation can be transient.
     */
    static Verdict verdict(double post, double pre, double postMin, long postMinStep, int layers, double postInit,
                           double preInit) {
        Verdict.Status status = post <= ATTENUATED && post * GAP <= pre ? Verdict.Status.SHOWN
                : post >= pre ? Verdict.Status.CONTRADICTED : Verdict.Status.NOT_SHOWN;
        return new Verdict(status, String.format(Locale.ROOT,
                "weight-gradient norm layer 0 / layer %d while training (median, last %.0f%% of steps): "
                        + "post-norm %.4g, pre-norm %.4g (shown if post ≤ %.2g and ≤ pre/%.0f); post-norm's lowest "
                        + "%.3g at step %d; at init ‖∂L/∂x‖ layer 0 / layer %d: post-norm %.3g, pre-norm %.3g",
                layers - 1, TAIL * 100, post, pre, ATTENUATED, GAP, postMin, postMinStep, layers - 1, postInit,
                preInit));
    }

    static String tag(NormStyle style) {
        return style == NormStyle.POST ? "post-norm" : "pre-norm";
    }

    /** Layer 0's weight-gradient norm over the last layer's, at every step that logged per-layer norms. */
    static Series layerRatio(MetricsLog log) {
        List<AttenuationAnalysis.AtStep> fits = AttenuationAnalysis.fromMetrics(log);
        double[] steps = new double[fits.size()];
        double[] ratio = new double[fits.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = fits.get(i).step();
            ratio[i] = fits.get(i).analysis().firstOverLast();
        }
        return new Series("layer 0 / last layer", steps, ratio);
    }

    private static int argMin(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] < v[best] ? i : best;
        }
        return best;
    }

    /** The first step whose ratio is below {@code threshold}, or -1. */
    static long firstBelow(double[] ratio, double[] steps, double threshold) {
        for (int i = 0; i < ratio.length; i++) {
            if (ratio[i] < threshold) {
                return (long) steps[i];
            }
        }
        return -1;
    }

    private static void writeLayerTables(ExperimentSetup s, Map<NormStyle, GradientSnapshot> init,
                                         Map<NormStyle, GradientSnapshot> trained, int layers) throws IOException {
        CsvTable activation = new CsvTable("position", "post_init", "pre_init", "post_trained", "pre_trained");
        for (int i = 0; i <= layers; i++) {
            activation.add(i, init.get(NormStyle.POST).activation()[i], init.get(NormStyle.PRE).activation()[i],
                    trained.get(NormStyle.POST).activation()[i], trained.get(NormStyle.PRE).activation()[i]);
        }
        activation.write(s.dir().resolve("activation_grad_norms.csv"));
        CsvTable weight = new CsvTable("layer", "post_init", "pre_init", "post_trained", "pre_trained");
        for (int i = 0; i < layers; i++) {
            weight.add(i, init.get(NormStyle.POST).weight()[i], init.get(NormStyle.PRE).weight()[i],
                    trained.get(NormStyle.POST).weight()[i], trained.get(NormStyle.PRE).weight()[i]);
        }
        weight.write(s.dir().resolve("weight_grad_norms.csv"));
    }

    @Override
    public void render(Path dir, HtmlReport report, Path charts) throws IOException {
        CsvTable activation = CsvTable.read(dir.resolve("activation_grad_norms.csv"));
        CsvTable weight = CsvTable.read(dir.resolve("weight_grad_norms.csv"));
        CsvTable ratio = CsvTable.read(dir.resolve("weight_grad_ratio.csv"));
        List<String> runs = List.of("post_init", "pre_init", "post_trained", "pre_trained");
        Path a = charts.resolve("activation_grad_norms.png");
        Charts.line(a, "‖∂L/∂x‖ at each layer's input", "layer input (last = output of the last layer)",
                "gradient norm", runs.stream().map(r -> activation.series(r, "position", r)).toList(), true);
        Path w = charts.resolve("weight_grad_norms.png");
        Charts.line(w, "weight-gradient norm per layer", "layer", "gradient norm",
                runs.stream().map(r -> weight.series(r, "layer", r)).toList(), true);
        Path r = charts.resolve("weight_grad_ratio.png");
        Charts.line(r, "weight-gradient norm layer 0 / last layer while pretraining", "step", "ratio",
                List.of(ratio.series("post-norm", "step", "post_weight_ratio"),
                        ratio.series("pre-norm", "step", "pre_weight_ratio")), true);
        report.image(a, "Gradient norm with respect to each layer's input, on one fixed probe batch, at init and "
                        + "after pretraining.")
                .image(w, "Weight-gradient norm of each layer on the same probe batch.")
                .image(r, "Layer 0's weight-gradient norm over the last layer's at every pretraining step "
                        + "(before clipping).");
    }
}
