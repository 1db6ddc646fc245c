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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
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
    static final String EFFECT = "late_loss_without_minus_with";
    static final String WITH = "with-warmup";
    static final String WITHOUT = "without-warmup";
    static final String CURVES_CSV = "loss_curves.csv";
    static final String PEER_CSV = "peer_loss.csv";

    /** What one run's curve showed; {@code lateLoss} is the mean loss over the second half of the planned steps. */
    record Run(LossCurve.Plateau plateau, long divergedAt, double finalLoss, double lateLoss) {
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
    public Effect effect() {
        return new Effect(EFFECT, "mean training loss over the second half of the steps without warmup − with it "
                + "(nats; a run that diverged before half-way counts its last smoothed loss)");
    }

    @Override
    public String budgetNote(Budget b) {
        return String.format(Locale.ROOT, "%s: %d layers, %d steps per run; the loss is read over the second half, "
                + "where a spike or a divergence without warmup shows. At the earlier small size (6 layers, 200 steps) both runs sat on the "
                + "unigram plateau in the README's one-seed finding, so nothing showed; full (12 layers, 400 steps: "
                + "`--size full`) showed a spike to 13.6 nats without warmup and a worse late loss (6.75 vs 6.54), "
                + "measured on one seed. Over seeds (docs/experiments-method.md, Budgets): small contradicts it by "
                + "0.018 nats (both runs stay on the plateau; 3 seeds, ~5 min on 2 cores); full points its way but 3 "
                + "seeds do not show it (0.060 [-0.033, 0.152]); `--size full --seeds 10` shows it: 0.053 [0.023, "
                + "0.083], 36 minutes on 2 cores, the PyTorch peer included (2026-12-07).",
                b.name(), b.layers(), b.pretrainSteps());
    }

    @Override
    public Map<String, Double> measure(ExperimentSetup s) throws IOException {
        Vocab vocab = Vocab.read(s.vocab());
        Path config = s.writeConfig("config.json", s.config(vocab.size(), NormStyle.POST, 0.02));
        long steps = s.steps(s.budget().pretrainSteps());
        double unigram = UnigramEntropy.of(s.corpus(), vocab);
        Curve with = train(s, WITH, config, steps, WARMUP_RATIO);
        Curve without = train(s, WITHOUT, config, steps, 0);
        CsvTable curves = new CsvTable("step", "with_warmup_loss", "without_warmup_loss", "with_warmup_weight_ratio",
                "without_warmup_weight_ratio", "unigram_entropy");
        Curve longer = with.steps().length >= without.steps().length ? with : without;
        // a diverged run stops early: its columns end with NaN
        for (double step : longer.steps()) {
            curves.add((long) step, with.lossAt(step), without.lossAt(step), with.ratioAt(step), without.ratioAt(step),
                    unigram);
        }
        curves.write(s.dir().resolve(CURVES_CSV));

        Run a = with.judge(unigram, steps);
        Run b = without.judge(unigram, steps);
        Map<String, Double> numbers = new LinkedHashMap<>();
        numbers.put(EFFECT, b.lateLoss() - a.lateLoss());
        numbers.put("steps", (double) steps);
        numbers.put("unigram_entropy", unigram);
        put(numbers, "with_warmup", a);
        put(numbers, "without_warmup", b);
        numbers.put("with_warmup_first_step_weight_ratio_below_0.01", (double) with.firstRatioBelow());
        numbers.put("without_warmup_first_step_weight_ratio_below_0.01", (double) without.firstRatioBelow());
        return numbers;
    }

    /**
     * Runs scripts/peer_pretrain.py with and without warmup at this budget and seed, writes its loss curves beside
     * ours ({@code peer_loss.csv}), and compares the late losses, the effect and the curves.
     */
    @Override
    public PeerComparison comparePeer(ExperimentSetup s) throws IOException, PeerScripts.NotRun {
        long steps = s.steps(s.budget().pretrainSteps());
        Map<String, List<String>> runs = new LinkedHashMap<>();
        runs.put(WITH, List.of("--warmup-ratio", String.valueOf(WARMUP_RATIO)));
        runs.put(WITHOUT, List.of("--warmup-ratio", "0"));
        Map<String, MetricsLog> logs = s.peer().pretrain(s, steps, runs);
        Series peerWith = logs.get(WITH).series("loss");
        Series peerWithout = logs.get(WITHOUT).series("loss");
        CsvTable ours = CsvTable.read(s.dir().resolve(CURVES_CSV));
        double[] stepNumbers = ours.column("step");
        double[] with = ours.column("with_warmup_loss");
        double[] without = ours.column("without_warmup_loss");
        CsvTable both = new CsvTable("step", "with_warmup_loss", "with_warmup_loss_peer", "without_warmup_loss",
                "without_warmup_loss_peer");
        double maxRelative = 0;
        for (int i = 0; i < stepNumbers.length; i++) {
            int k = (int) stepNumbers[i] - 1; // the peer logs every step from 1
            both.add((long) stepNumbers[i], with[i], peerWith.y()[k], without[i], peerWithout.y()[k]);
            for (double gap : new double[] {Math.abs(with[i] - peerWith.y()[k]) / peerWith.y()[k],
                    Math.abs(without[i] - peerWithout.y()[k]) / peerWithout.y()[k]}) {
                maxRelative = Double.isFinite(gap) ? Math.max(maxRelative, gap) : maxRelative; // a diverged run: NaN
            }
        }
        both.write(s.dir().resolve(PEER_CSV));
        double oursWith = lateMean(stepNumbers, with, steps, Double.NaN);
        double oursWithout = lateMean(stepNumbers, without, steps, Double.NaN);
        double lateWith = lateMean(peerWith.x(), peerWith.y(), steps, Double.NaN);
        double lateWithout = lateMean(peerWithout.x(), peerWithout.y(), steps, Double.NaN);
        return new PeerComparison(String.format(Locale.ROOT, "scripts/peer_pretrain.py, seed %d, the same budget and corpus: mean "
                        + "training loss over the second half with warmup %.3f (peer %.3f), without %.3f (peer %.3f); "
                        + "the effect %.3f here, %.3f in the peer; the loss curves differ by at most %.0f%% at any step "
                        + "(one seed each, different random streams; per-step curves in %s/%s)",
                s.seed(), oursWith, lateWith, oursWithout, lateWithout, oursWithout - oursWith,
                lateWithout - lateWith, 100 * maxRelative, s.dir().getFileName(), PEER_CSV), lateWithout - lateWith);
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

        Run judge(double unigram, long planned) {
            double[] smooth = LossCurve.smooth(loss);
            double last = smooth[smooth.length - 1];
            return new Run(LossCurve.plateau(steps, loss, unigram), LossCurve.divergence(steps, loss, skipped), last,
                    lateMean(steps, loss, planned, last));
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

    /** The mean finite loss over the steps after half of {@code planned}; {@code fallback} when there are none. */
    static double lateMean(double[] steps, double[] loss, long planned, double fallback) {
        double[] late = IntStream.range(0, steps.length)
                .filter(i -> steps[i] > planned / 2.0 && Double.isFinite(loss[i])).mapToDouble(i -> loss[i]).toArray();
        return late.length == 0 ? fallback : Arrays.stream(late).average().orElseThrow();
    }

    private static void put(Map<String, Double> numbers, String prefix, Run r) {
        numbers.put(prefix + "_late_loss", r.lateLoss());
        numbers.put(prefix + "_diverged_at", (double) r.divergedAt());
        numbers.put(prefix + "_plateau_from", (double) r.plateau().firstStep());
        numbers.put(prefix + "_plateau_left_at", (double) r.plateau().leftAt());
        numbers.put(prefix + "_final_smoothed_loss", r.finalLoss());
    }

    @Override
    public void render(Path dir, HtmlReport report, Path charts) throws IOException {
        CsvTable curves = CsvTable.read(dir.resolve(CURVES_CSV));
        Path loss = charts.resolve("loss_curves.png");
        Charts.line(loss, "MLM loss, post-norm, same peak LR and seed", "step", "loss (nats)",
                List.of(curves.series("with warmup", "step", "with_warmup_loss"),
                        curves.series("without warmup", "step", "without_warmup_loss"),
                        curves.series("unigram entropy", "step", "unigram_entropy")), false);
        Path ratio = charts.resolve("weight_grad_ratio.png");
        Charts.line(ratio, "weight-gradient norm layer 0 / last layer", "step", "ratio",
                List.of(curves.series("with warmup", "step", "with_warmup_weight_ratio"),
                        curves.series("without warmup", "step", "without_warmup_weight_ratio")), true);
        if (Files.isRegularFile(dir.resolve(PEER_CSV))) {
            CsvTable peer = CsvTable.read(dir.resolve(PEER_CSV));
            Path p = charts.resolve("peer_loss.png");
            Charts.line(p, "MLM loss: minibert and the PyTorch peer", "step", "loss (nats)",
                    peer.seriesOverFirstColumn(), false);
            report.image(p, "The same runs in scripts/peer_pretrain.py (PyTorch) with the same budget and seed.");
        }
        report.image(loss, "Training loss per step; the flat line is the loss of predicting masked tokens by their "
                        + "corpus frequency alone (the unigram plateau).")
                .image(ratio, "Layer 0's weight-gradient norm over the last layer's, per step.");
    }
}
