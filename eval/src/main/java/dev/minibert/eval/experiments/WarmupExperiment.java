package dev.minibert.eval.experiments;

import dev.minibert.eval.Charts;
import dev.minibert.eval.HtmlReport;
import dev.minibert.eval.MetricsLog;
import dev.minibert.eval.Series;
import dev.minibert.model.BertConfig.NormStyle;
import dev.minibert.model.train.DivergedException;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Post-norm MLM pretraining at the same peak learning rate and seed, with a 10% linear warmup and without:
 * loss curves against the unigram plateau, divergence detection, and the layer-0/last-layer gradient ratio.
 */
public final class WarmupExperiment implements Experiment {
    static final double WARMUP_RATIO = 0.1;

    /** What one run's curve showed. */
    record Run(LossCurve.Plateau plateau, long divergedAt, double finalLoss, long steps) {
    }

    @Override
    public String name() {
        return "warmup";
    }

    @Override
    public String claim() {
        return "Without learning-rate warmup a post-norm BERT sits on a plateau and then diverges; with warmup it trains.";
    }

    @Override
    public Outcome run(ExperimentSetup s) throws IOException {
        Vocab vocab = Vocab.read(s.vocab());
        Path config = s.writeConfig("config.json", s.config(vocab.size(), NormStyle.POST, 0.02));
        long steps = s.steps(s.budget().pretrainSteps());
        double unigram = UnigramEntropy.of(s.corpus(), vocab);
        Curve with = train(s, "with-warmup", config, steps, WARMUP_RATIO);
        Curve without = train(s, "without-warmup", config, steps, 0);
        CsvTable curves = new CsvTable("step", "with_warmup_loss", "without_warmup_loss", "with_warmup_weight_ratio",
                "without_warmup_weight_ratio");
        Curve longer = with.steps().length >= without.steps().length ? with : without;
        // a diverged run stops early: its columns end with NaN
        for (double step : longer.steps()) {
            curves.add((long) step, with.lossAt(step), without.lossAt(step), with.ratioAt(step), without.ratioAt(step));
        }
        curves.write(s.dir().resolve("loss_curves.csv"));

        Run a = with.judge(unigram);
        Run b = without.judge(unigram);
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("steps", steps);
        numbers.put("peak_learning_rate", s.budget().learningRate());
        numbers.put("unigram_entropy", unigram);
        put(numbers, "with_warmup", a);
        put(numbers, "without_warmup", b);
        numbers.put("with_warmup_first_step_weight_ratio_below_0.01", with.firstRatioBelow());
        numbers.put("without_warmup_first_step_weight_ratio_below_0.01", without.firstRatioBelow());
        return new Outcome(verdict(a, b, unigram), numbers);
    }

    /** One run's steps, losses (NaN where skipped), skipped flags, and layer-0/last-layer weight-gradient ratios. */
    private record Curve(double[] steps, double[] loss, boolean[] skipped, Series ratio) {
        static Curve read(Path runDir) throws IOException {
            MetricsLog log = MetricsLog.read(runDir.resolve("metrics.jsonl"));
            Series loss = log.series("loss");
            Set<Double> skippedSteps = log.rowsWith("skipped").stream().map(r -> r.get("step").asDouble())
                    .collect(Collectors.toSet());
            boolean[] skipped = new boolean[loss.x().length];
            for (int i = 0; i < skipped.length; i++) {
                skipped[i] = skippedSteps.contains(loss.x()[i]);
            }
            return new Curve(loss.x(), loss.y(), skipped, AttenuationExperiment.layerRatio(log));
        }

        double lossAt(double step) {
            return at(steps, loss, step);
        }

        /** NaN at a skipped step: it logged no per-layer norms. */
        double ratioAt(double step) {
            return at(ratio.x(), ratio.y(), step);
        }

        long firstRatioBelow() {
            return AttenuationExperiment.firstBelow(ratio.y(), ratio.x(), AttenuationExperiment.COLLAPSED);
        }

        private static double at(double[] steps, double[] values, double step) {
            int i = Arrays.binarySearch(steps, step);
            return i >= 0 ? values[i] : Double.NaN;
        }

        Run judge(double unigram) {
            double[] smooth = LossCurve.smooth(loss);
            return new Run(LossCurve.plateau(steps, loss, unigram), LossCurve.divergence(steps, loss, skipped),
                    smooth[smooth.length - 1], (long) steps[steps.length - 1]);
        }
    }

    private static Curve train(ExperimentSetup s, String name, Path config, long steps, double warmup)
            throws IOException {
        try {
            Pretraining.run(s.pretraining(name, config, steps, warmup, true), s.progress(name));
        } catch (DivergedException e) {
            // the loop stopped after consecutive non-finite steps: metrics.jsonl holds them, and that is the result
        }
        return Curve.read(s.dir().resolve(name));
    }

    /**
     * Shown when the run without warmup diverges and the one with warmup does not; contradicted when only the run
     * with warmup diverges; otherwise (neither or both diverge) the budget does not decide it.
     */
    static Verdict verdict(Run with, Run without, double unigram) {
        boolean withDiverged = with.divergedAt() >= 0;
        boolean withoutDiverged = without.divergedAt() >= 0;
        Verdict.Status status = withoutDiverged && !withDiverged ? Verdict.Status.SHOWN
                : withDiverged && !withoutDiverged ? Verdict.Status.CONTRADICTED : Verdict.Status.NOT_SHOWN;
        return new Verdict(status, String.format(Locale.ROOT,
                "without warmup: %s, %s, final loss %.3f; with warmup: %s, %s, final loss %.3f "
                        + "(unigram plateau %.3f nats ± %.1f)",
                describeDivergence(without), describePlateau(without.plateau()), without.finalLoss(),
                describeDivergence(with), describePlateau(with.plateau()), with.finalLoss(), unigram,
                LossCurve.PLATEAU_BAND));
    }

    private static String describeDivergence(Run r) {
        return r.divergedAt() >= 0 ? "diverged at step " + r.divergedAt() : "no divergence in " + r.steps() + " steps";
    }

    private static String describePlateau(LossCurve.Plateau p) {
        return !p.reached() ? "never on the plateau"
                : p.leftAt() < 0 ? "on the plateau from step " + p.firstStep() + " to the end"
                : "on the plateau from step " + p.firstStep() + ", below it from step " + p.leftAt();
    }

    private static void put(Map<String, Object> numbers, String prefix, Run r) {
        numbers.put(prefix + "_diverged_at", r.divergedAt());
        numbers.put(prefix + "_plateau_from", r.plateau().firstStep());
        numbers.put(prefix + "_plateau_left_at", r.plateau().leftAt());
        numbers.put(prefix + "_final_smoothed_loss", r.finalLoss());
    }

    @Override
    public void render(Path dir, HtmlReport report, Path charts) throws IOException {
        CsvTable curves = CsvTable.read(dir.resolve("loss_curves.csv"));
        ExperimentRecord record = ExperimentRecord.read(dir);
        double unigram = ((Number) record.numbers().get("unigram_entropy")).doubleValue();
        double[] steps = curves.column("step");
        double[] plateau = new double[steps.length];
        java.util.Arrays.fill(plateau, unigram);
        Path loss = charts.resolve("loss_curves.png");
        Charts.line(loss, "MLM loss, post-norm, same peak LR and seed", "step", "loss (nats)",
                List.of(curves.series("with warmup", "step", "with_warmup_loss"),
                        curves.series("without warmup", "step", "without_warmup_loss"),
                        new Series("unigram entropy", steps, plateau)), false);
        Path ratio = charts.resolve("weight_grad_ratio.png");
        Charts.line(ratio, "weight-gradient norm layer 0 / last layer", "step", "ratio",
                List.of(curves.series("with warmup", "step", "with_warmup_weight_ratio"),
                        curves.series("without warmup", "step", "without_warmup_weight_ratio")), true);
        report.image(loss, "Training loss per step; the flat line is the loss of predicting masked tokens by their "
                        + "corpus frequency alone (the unigram plateau).")
                .image(ratio, "Layer 0's weight-gradient norm over the last layer's, per step.");
    }
}
