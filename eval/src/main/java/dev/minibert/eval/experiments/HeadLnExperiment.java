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
    /** Growth of a mean gamma away from 1 that counts as "grows". */
    static final double GROWTH = 0.1;

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
    public Outcome run(ExperimentSetup s) throws IOException {
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
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("steps", steps);
        numbers.put("last_layer_norm", withLast.name());
        numbers.put("with_transform_last_ln_gamma", g1.last());
        numbers.put("with_transform_other_encoder_ln_gamma", g1.othersMean());
        numbers.put("with_transform_head_ln_gamma", g1.head());
        numbers.put("without_transform_last_ln_gamma", g0.last());
        numbers.put("without_transform_other_encoder_ln_gamma", g0.othersMean());
        numbers.put("without_transform_other_encoder_ln_max_drift", g0.othersMaxDrift());
        return new Outcome(verdict(g1, g0, steps), numbers);
    }

    /**
     * Shown when, without the transform, the last LayerNorm's mean gamma moves at least {@link #GROWTH} from 1,
     * twice as far as any other encoder LayerNorm, and with the transform it moves at most half as far;
     * contradicted when it moves by {@link #GROWTH} only with the transform.
     */
    static Verdict verdict(Gammas with, Gammas without, long steps) {
        double grown = Math.abs(without.last() - 1);
        double kept = Math.abs(with.last() - 1);
        Verdict.Status status = grown >= GROWTH && grown >= 2 * without.othersMaxDrift() && kept <= grown / 2
                ? Verdict.Status.SHOWN
                : kept >= GROWTH && grown < GROWTH ? Verdict.Status.CONTRADICTED : Verdict.Status.NOT_SHOWN;
        return new Verdict(status, String.format(Locale.ROOT,
                "after %d steps, mean gamma of the encoder's last LayerNorm: without the head transform %.3f "
                        + "(other encoder LayerNorms %.3f, largest drift %.3f), with it %.3f (head LayerNorm %.3f); "
                        + "shown if |without − 1| ≥ %.2f",
                steps, without.last(), without.othersMean(), without.othersMaxDrift(), with.last(), with.head(), GROWTH));
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
