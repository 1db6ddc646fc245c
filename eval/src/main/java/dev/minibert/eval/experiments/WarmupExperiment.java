package dev.minibert.eval.experiments;

import dev.minibert.eval.Series;
import java.util.List;
import dev.minibert.eval.HtmlReport;
import dev.minibert.eval.Charts;
import dev.minibert.model.BertConfig.NormStyle;
import dev.minibert.model.train.DivergedException;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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
        Run with = train(s, "with-warmup", config, steps, WARMUP_RATIO, unigram);
        Run without = train(s, "without-warmup", config, steps, 0, unigram);

        TrainingLog a = TrainingLog.read(s.dir().resolve("with-warmup"));
        TrainingLog b = TrainingLog.read(s.dir().resolve("without-warmup"));
        int layers = s.budget().layers();
        CsvTable curves = new CsvTable("step", "with_warmup_loss", "without_warmup_loss", "with_warmup_weight_ratio",
                "without_warmup_weight_ratio");
        double[] stepsA = a.steps();
        double[] stepsB = b.steps();
        double[] lossA = a.loss();
        double[] lossB = b.loss();
        double[] ratioA = AttenuationExperiment.layerRatio(a, layers);
        double[] ratioB = AttenuationExperiment.layerRatio(b, layers);
        // a diverged run stops early: its columns end with NaN
        for (int i = 0; i < Math.max(stepsA.length, stepsB.length); i++) {
            curves.add((long) (i < stepsA.length ? stepsA[i] : stepsB[i]), at(lossA, i), at(lossB, i), at(ratioA, i),
                    at(ratioB, i));
        }
        curves.write(s.dir().resolve("loss_curves.csv"));

        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("steps", steps);
        numbers.put("peak_learning_rate", s.budget().learningRate());
        numbers.put("unigram_entropy", unigram);
        put(numbers, "with_warmup", with);
        put(numbers, "without_warmup", without);
        numbers.put("with_warmup_first_step_weight_ratio_below_0.01",
                AttenuationExperiment.firstBelow(ratioA, stepsA, AttenuationExperiment.COLLAPSED));
        numbers.put("without_warmup_first_step_weight_ratio_below_0.01",
                AttenuationExperiment.firstBelow(ratioB, stepsB, AttenuationExperiment.COLLAPSED));
        return new Outcome(verdict(with, without, unigram), numbers);
    }

    private static Run train(ExperimentSetup s, String name, Path config, long steps, double warmup, double unigram)
            throws IOException {
        try {
            Pretraining.run(s.pretraining(name, config, steps, warmup, true), s.progress(name));
        } catch (DivergedException e) {
            // the loop stopped after consecutive non-finite steps: metrics.jsonl holds them, and that is the result
        }
        TrainingLog log = TrainingLog.read(s.dir().resolve(name));
        double[] stepNumbers = log.steps();
        double[] loss = log.loss();
        double[] smooth = LossCurve.smooth(loss);
        return new Run(LossCurve.plateau(stepNumbers, loss, unigram),
                LossCurve.divergence(stepNumbers, loss, log.skipped()), smooth[smooth.length - 1],
                (long) stepNumbers[stepNumbers.length - 1]);
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

    private static double at(double[] v, int i) {
        return i < v.length ? v[i] : Double.NaN;
    }

    @Override
    public void render(Path dir, HtmlReport report) throws IOException {
        CsvTable curves = CsvTable.read(dir.resolve("loss_curves.csv"));
        ExperimentRecord record = ExperimentRecord.read(dir);
        double unigram = ((Number) record.numbers().get("unigram_entropy")).doubleValue();
        double[] steps = curves.column("step");
        double[] plateau = new double[steps.length];
        java.util.Arrays.fill(plateau, unigram);
        Path loss = dir.resolve("loss_curves.png");
        Charts.line(loss, "MLM loss, post-norm, same peak LR and seed", "step", "loss (nats)",
                List.of(curves.series("with warmup", "step", "with_warmup_loss"),
                        curves.series("without warmup", "step", "without_warmup_loss"),
                        new Series("unigram entropy", steps, plateau)), false);
        Path ratio = dir.resolve("weight_grad_ratio.png");
        Charts.line(ratio, "weight-gradient norm layer 0 / last layer", "step", "ratio",
                List.of(curves.series("with warmup", "step", "with_warmup_weight_ratio"),
                        curves.series("without warmup", "step", "without_warmup_weight_ratio")), true);
        report.image(loss, "Training loss per step; the flat line is the loss of predicting masked tokens by their "
                        + "corpus frequency alone (the unigram plateau).")
                .image(ratio, "Layer 0's weight-gradient norm over the last layer's, per step.");
    }
}
