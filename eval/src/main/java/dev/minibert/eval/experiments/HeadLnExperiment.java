package dev.minibert.eval.experiments;

import dev.minibert.eval.Charts;
import dev.minibert.eval.GammaGrowthAnalysis.Role;
import dev.minibert.eval.GammaGrowthAnalysis.Track;
import dev.minibert.eval.GammaGrowthAnalysis;
import dev.minibert.eval.HtmlReport;
import dev.minibert.eval.MetricsLog;
import dev.minibert.model.BertConfig.NormStyle;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Post-norm MLM pretraining with and without the head's Dense+GELU+LayerNorm transform: the mean gamma of the
 * encoder's last LayerNorm against the other encoder LayerNorms and the head's LayerNorm, step by step.
 */
public final class HeadLnExperiment implements Experiment {
    static final String HEAD_LN = "cls.predictions.transform.LayerNorm.weight";
    static final String EFFECT = "last_ln_excess_drift";

    /** Final mean gammas of one run; {@code head} is NaN without the transform. */
    record Gammas(double last, double othersMean, double othersMaxDrift, double head) {
    }

    @Override
    public String name() {
        return "head-ln";
    }

    @Override
    public String claim() {
        return "Without the MLM head's Dense+LayerNorm the encoder's last LayerNorm takes its role and its gamma grows; "
                + "with it, that gamma stays near 1.";
    }

    @Override
    public Effect effect() {
        return new Effect(EFFECT, "|mean gamma of the encoder's last LayerNorm without the head transform − 1| − the "
                + "larger of: its |gamma − 1| with the transform, and the largest |gamma − 1| of the other encoder "
                + "LayerNorms without it (final step)");
    }

    @Override
    public String budgetNote(Budget b) {
        return String.format(Locale.ROOT, "%s: %d layers, %d steps per run, read at the last step: the growth "
                + "accumulates with training (README findings, one seed: 1.138 at 600 steps and 1.181 at 800 at full "
                + "size; 1.097 at 400 steps at the earlier small size). The %s size's step count is estimated, not "
                + "measured, to keep three seeds near ten minutes on 2 cores; full (800 steps) shows a larger effect.",
                b.name(), b.layers(), b.gammaSteps(), b.name());
    }

    @Override
    public Map<String, Double> measure(ExperimentSetup s) throws IOException {
        Vocab vocab = Vocab.read(s.vocab());
        Path config = s.writeConfig("config.json", s.config(vocab.size(), NormStyle.POST, 0.02));
        long steps = s.steps(s.budget().gammaSteps());
        Pretraining.run(s.pretraining("with-transform", config, steps, 0.1, true), s.progress("with-transform"));
        Pretraining.run(s.pretraining("without-transform", config, steps, 0.1, false), s.progress("without-transform"));
        GammaGrowthAnalysis with = GammaGrowthAnalysis.fromMetrics(
                MetricsLog.read(s.dir().resolve("with-transform").resolve("metrics.jsonl")));
        GammaGrowthAnalysis without = GammaGrowthAnalysis.fromMetrics(
                MetricsLog.read(s.dir().resolve("without-transform").resolve("metrics.jsonl")));

        Track withLast = track(with, Role.LAST_ENCODER);
        double[] withOthers = meanOfEncoder(with);
        double[] withHead = track(with, Role.HEAD).mean();
        double[] withoutLast = track(without, Role.LAST_ENCODER).mean();
        double[] withoutOthers = meanOfEncoder(without);
        CsvTable curves = new CsvTable("step", "with_last_ln", "with_other_encoder_ln", "with_head_ln",
                "without_last_ln", "without_other_encoder_ln");
        for (int i = 0; i < withLast.steps().length; i++) {
            curves.add(withLast.steps()[i], withLast.mean()[i], withOthers[i], withHead[i], withoutLast[i],
                    withoutOthers[i]);
        }
        curves.write(s.dir().resolve("gamma.csv"));
        CsvTable finals = new CsvTable("layer_norm", "with_transform", "without_transform");
        for (Track t : with.tracks()) {
            double wo = without.tracks().stream().filter(u -> u.name().equals(t.name())).mapToDouble(Track::lastMean)
                    .findFirst().orElse(Double.NaN);
            finals.add(t.name(), t.lastMean(), wo);
        }
        finals.write(s.dir().resolve("gamma_final.csv"));

        Gammas g1 = gammas(with);
        Gammas g0 = gammas(without);
        Map<String, Double> numbers = new LinkedHashMap<>();
        numbers.put(EFFECT, effect(g1, g0));
        numbers.put("steps", (double) steps);
        numbers.put("with_transform_last_ln_gamma", g1.last());
        numbers.put("with_transform_other_encoder_ln_gamma", g1.othersMean());
        numbers.put("with_transform_head_ln_gamma", g1.head());
        numbers.put("without_transform_last_ln_gamma", g0.last());
        numbers.put("without_transform_other_encoder_ln_gamma", g0.othersMean());
        numbers.put("without_transform_other_encoder_ln_max_drift", g0.othersMaxDrift());
        return numbers;
    }

    /** How much further the last LayerNorm's gamma moved without the transform than any gamma it is compared with. */
    static double effect(Gammas with, Gammas without) {
        return Math.abs(without.last() - 1) - Math.max(Math.abs(with.last() - 1), without.othersMaxDrift());
    }

    static String lastLayerNorm(int layers) {
        return "bert.encoder.layer." + (layers - 1) + ".output.LayerNorm.weight";
    }

    /** The final mean gammas; the other encoder LayerNorms' drift is the largest |mean − 1| among them. */
    private static Gammas gammas(GammaGrowthAnalysis a) {
        GammaGrowthAnalysis.Comparison c = a.comparison();
        double drift = a.tracks().stream().filter(t -> t.role() == Role.ENCODER)
                .mapToDouble(t -> Math.abs(t.lastMean() - 1)).max().orElse(0);
        return new Gammas(c.lastEncoder(), c.otherEncoder(), drift, c.head());
    }

    private static Track track(GammaGrowthAnalysis a, Role role) {
        return a.tracks().stream().filter(t -> t.role() == role).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + role + " LayerNorm in the run's metrics"));
    }

    /** The average mean gamma of the encoder LayerNorms other than the last, per step. */
    private static double[] meanOfEncoder(GammaGrowthAnalysis a) {
        List<Track> encoder = a.tracks().stream().filter(t -> t.role() == Role.ENCODER).toList();
        double[] out = new double[encoder.get(0).mean().length];
        for (Track t : encoder) {
            for (int i = 0; i < out.length; i++) {
                out[i] += t.mean()[i] / encoder.size();
            }
        }
        return out;
    }

    @Override
    public void render(Path dir, HtmlReport report, Path charts) throws IOException {
        CsvTable curves = CsvTable.read(dir.resolve("gamma.csv"));
        Path png = charts.resolve("gamma.png");
        Charts.line(png, "mean LayerNorm gamma while pretraining (post-norm)", "step", "mean gamma",
                curves.header().subList(1, curves.header().size()).stream()
                        .map(c -> curves.series(c, "step", c)).toList(), false);
        CsvTable finals = CsvTable.read(dir.resolve("gamma_final.csv"));
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < finals.size(); i++) {
            rows.add(finals.row(i));
        }
        report.image(png, "Mean gamma of the encoder's last LayerNorm, the average of the other encoder LayerNorms, and "
                        + "the head's LayerNorm, with and without the head's Dense+LayerNorm transform.")
                .table(List.of("LayerNorm", "mean gamma, with transform", "mean gamma, without"), rows);
    }
}
