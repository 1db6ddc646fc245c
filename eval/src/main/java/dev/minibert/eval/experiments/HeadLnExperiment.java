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
import java.nio.file.Files;
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
    static final String WITH = "with-transform";
    static final String WITHOUT = "without-transform";
    static final String GAMMA_CSV = "gamma.csv";
    static final String PEER_CSV = "peer_gamma.csv";

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
                + "size; 1.097 at 400 steps at the earlier small size). Measured with three seeds "
                + "(docs/experiments-method.md, Budgets): small (200 steps) shows it in minutes on 2 cores, the "
                + "PyTorch peer included; full (800 steps, `--size full`) grows a larger effect.",
                b.name(), b.layers(), b.gammaSteps());
    }

    @Override
    public Map<String, Double> measure(ExperimentSetup s) throws IOException {
        Vocab vocab = Vocab.read(s.vocab());
        Path config = s.writeConfig("config.json", s.config(vocab.size(), NormStyle.POST, 0.02));
        long steps = s.steps(s.budget().gammaSteps());
        Pretraining.run(s.pretraining(WITH, config, steps, 0.1, true), s.progress(WITH));
        Pretraining.run(s.pretraining(WITHOUT, config, steps, 0.1, false), s.progress(WITHOUT));
        GammaGrowthAnalysis with = analysis(s.dir(), WITH);
        GammaGrowthAnalysis without = analysis(s.dir(), WITHOUT);

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
        curves.write(s.dir().resolve(GAMMA_CSV));
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

    /**
     * Runs scripts/peer_pretrain.py with and without the head transform at this budget and seed, writes its
     * last-LayerNorm gamma curves beside ours ({@code peer_gamma.csv}), and compares the final gammas and the effect.
     */
    @Override
    public PeerComparison comparePeer(ExperimentSetup s) throws IOException, PeerScripts.NotRun {
        Map<String, List<String>> runs = new LinkedHashMap<>();
        runs.put(WITH, List.of());
        runs.put(WITHOUT, List.of("--no-head-transform"));
        Map<String, MetricsLog> logs = s.peer().pretrain(s, s.steps(s.budget().gammaSteps()), runs);
        GammaGrowthAnalysis with = GammaGrowthAnalysis.fromMetrics(logs.get(WITH));
        GammaGrowthAnalysis without = GammaGrowthAnalysis.fromMetrics(logs.get(WITHOUT));
        CsvTable ours = CsvTable.read(s.dir().resolve(GAMMA_CSV));
        double[] steps = ours.column("step");
        double[] peerWithout = track(without, Role.LAST_ENCODER).mean();
        double[] peerWith = track(with, Role.LAST_ENCODER).mean();
        CsvTable both = new CsvTable("step", "without_last_ln", "without_last_ln_peer", "with_last_ln",
                "with_last_ln_peer");
        double maxGap = 0;
        for (int i = 0; i < steps.length; i++) {
            int k = (int) steps[i] - 1; // the peer logs every step from 1
            both.add((long) steps[i], ours.column("without_last_ln")[i], peerWithout[k], ours.column("with_last_ln")[i],
                    peerWith[k]);
            maxGap = Math.max(maxGap, Math.abs(ours.column("without_last_ln")[i] - peerWithout[k]));
        }
        both.write(s.dir().resolve(PEER_CSV));
        Gammas o1 = gammas(analysis(s.dir(), WITH));
        Gammas o0 = gammas(analysis(s.dir(), WITHOUT));
        Gammas p1 = gammas(with);
        Gammas p0 = gammas(without);
        return new PeerComparison(String.format(Locale.ROOT, "scripts/peer_pretrain.py, seed %d, the same budget and corpus, at the last "
                        + "step: the encoder's last LayerNorm's mean gamma without the head transform %.4f (peer %.4f), "
                        + "with it %.4f (peer %.4f); the other encoder LayerNorms' largest drift without it %.4f (peer "
                        + "%.4f); the effect %.4f here, %.4f in the peer; the without-transform curves of the last "
                        + "LayerNorm differ by at most %.4f at any step (one seed each, different random streams; "
                        + "per-step curves in %s/%s)",
                s.seed(), o0.last(), p0.last(), o1.last(), p1.last(), o0.othersMaxDrift(), p0.othersMaxDrift(),
                effect(o1, o0), effect(p1, p0), maxGap, s.dir().getFileName(), PEER_CSV), effect(p1, p0));
    }

    /** How much further the last LayerNorm's gamma moved without the transform than any gamma it is compared with. */
    static double effect(Gammas with, Gammas without) {
        return Math.abs(without.last() - 1) - Math.max(Math.abs(with.last() - 1), without.othersMaxDrift());
    }

    /** The gamma tracks of one of a seed's runs, from its metrics.jsonl. */
    private static GammaGrowthAnalysis analysis(Path seedDir, String run) throws IOException {
        return GammaGrowthAnalysis.fromMetrics(MetricsLog.read(seedDir.resolve(run).resolve("metrics.jsonl")));
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
        CsvTable curves = CsvTable.read(dir.resolve(GAMMA_CSV));
        Path png = charts.resolve("gamma.png");
        Charts.line(png, "mean LayerNorm gamma while pretraining (post-norm)", "step", "mean gamma",
                curves.seriesOverFirstColumn(), false);
        CsvTable finals = CsvTable.read(dir.resolve("gamma_final.csv"));
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < finals.size(); i++) {
            rows.add(finals.row(i));
        }
        if (Files.isRegularFile(dir.resolve(PEER_CSV))) {
            CsvTable peer = CsvTable.read(dir.resolve(PEER_CSV));
            Path p = charts.resolve("peer_gamma.png");
            Charts.line(p, "last encoder LayerNorm's mean gamma: minibert and the PyTorch peer", "step", "mean gamma",
                    peer.seriesOverFirstColumn(), false);
            report.image(p, "The same gammas from scripts/peer_pretrain.py (PyTorch) with the same budget and seed.");
        }
        report.image(png, "Mean gamma of the encoder's last LayerNorm, the average of the other encoder LayerNorms, and "
                        + "the head's LayerNorm, with and without the head's Dense+LayerNorm transform.")
                .table(List.of("LayerNorm", "mean gamma, with transform", "mean gamma, without"), rows);
    }
}
