package dev.minibert.eval.experiments;

import dev.minibert.eval.Charts;
import dev.minibert.eval.HtmlReport;
import dev.minibert.eval.MetricsLog;
import dev.minibert.eval.Series;
import dev.minibert.finetune.Finetuning;
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
 * A post-norm and a pre-norm model pretrained with the same budget and seed, then finetuned on the same labeled
 * sample: how far each layer's weights move, ‖W−W₀‖/‖W₀‖, and the weight-gradient ratio while finetuning.
 */
public final class FinetuneDriftExperiment implements Experiment {
    static final double FINETUNE_LR = 1e-4;
    /** Shown when post-norm's layer-0/last-layer drift ratio is at most this fraction of pre-norm's. */
    static final double GAP = 2.0 / 3;

    @Override
    public String name() {
        return "finetune-drift";
    }

    @Override
    public String claim() {
        return "Finetuning a post-norm BERT moves its lower layers less than its upper layers (their gradients are "
                + "attenuated); a pre-norm BERT moves its layers more evenly.";
    }

    @Override
    public Outcome run(ExperimentSetup s) throws IOException {
        if (s.labeledTrain() == null || s.labeledDev() == null) {
            throw new IllegalArgumentException("finetune-drift needs a labeled training and dev set (--train, --dev)");
        }
        Vocab vocab = Vocab.read(s.vocab());
        int layers = s.budget().layers();
        long steps = s.steps(s.budget().pretrainSteps());
        LabeledSample.Files data = LabeledSample.write(s.labeledTrain(), s.labeledDev(), s.budget().finetuneRows(),
                Math.max(1, s.budget().finetuneRows() / 4), s.seed(), s.dir());
        Map<NormStyle, Map<String, Double>> drift = new LinkedHashMap<>();
        Map<NormStyle, Double> gradRatio = new LinkedHashMap<>();
        Map<NormStyle, Double> devAccuracy = new LinkedHashMap<>();
        for (NormStyle style : NormStyle.values()) {
            String tag = AttenuationExperiment.tag(style);
            BertConfig config = s.config(vocab.size(), style, 0.02);
            Path pretrained = s.dir().resolve("pretrain-" + tag);
            Pretraining.run(s.pretraining("pretrain-" + tag, s.writeConfig(tag + "-config.json", config), steps, 0.1,
                    true), s.progress("pretrain-" + tag));
            Path finetuned = s.dir().resolve("finetune-" + tag);
            Finetuning.run(finetuning(s, pretrained.resolve("model"), data, finetuned), s.progress("finetune-" + tag));
            MetricsLog log = MetricsLog.read(finetuned.resolve("training").resolve("metrics.jsonl"));
            Map<String, Double> change = new LinkedHashMap<>();
            log.memberSeries("relative_weight_change").forEach((group, series) -> change.put(group, last(series)));
            drift.put(style, change);
            gradRatio.put(style, Medians.ofTail(AttenuationExperiment.layerRatio(log).y(), 1.0));
            devAccuracy.put(style, last(log.series("dev_accuracy")));
        }
        CsvTable table = new CsvTable("group", "post_norm", "pre_norm");
        for (String g : drift.get(NormStyle.POST).keySet()) {
            table.add(g, drift.get(NormStyle.POST).get(g), drift.get(NormStyle.PRE).getOrDefault(g, Double.NaN));
        }
        table.write(s.dir().resolve("relative_weight_change.csv"));

        double post = driftRatio(drift.get(NormStyle.POST), layers);
        double pre = driftRatio(drift.get(NormStyle.PRE), layers);
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("pretrain_steps", steps);
        numbers.put("finetune_learning_rate", FINETUNE_LR);
        numbers.put("finetune_epochs", s.budget().finetuneEpochs());
        for (NormStyle style : NormStyle.values()) {
            String tag = AttenuationExperiment.tag(style).replace('-', '_');
            Map<String, Double> d = drift.get(style);
            numbers.put(tag + "_embeddings_change", d.get("embeddings"));
            numbers.put(tag + "_layer0_change", d.get("layer.0"));
            numbers.put(tag + "_last_layer_change", d.get("layer." + (layers - 1)));
            numbers.put(tag + "_finetune_weight_grad_ratio_median", gradRatio.get(style));
            numbers.put(tag + "_dev_accuracy", devAccuracy.get(style));
        }
        numbers.put("post_norm_drift_ratio", post);
        numbers.put("pre_norm_drift_ratio", pre);
        return new Outcome(verdict(post, pre, gradRatio.get(NormStyle.POST), gradRatio.get(NormStyle.PRE), layers),
                numbers);
    }

    private static Finetuning.Options finetuning(ExperimentSetup s, Path model, LabeledSample.Files data, Path out) {
        return new Finetuning.Options(model, data.train(), data.dev(), out, null, null, "label",
                s.budget().finetuneEpochs(), s.budget().batchSize(), 1, s.budget().seqLen(), FINETUNE_LR, 0.1, null,
                0.01, 1.0, 1, s.seed(), false, "macro_f1", 0, false, 0, 1.0, false, 5, false);
    }

    /** Layer 0's relative weight change over the last layer's. */
    static double driftRatio(Map<String, Double> drift, int layers) {
        return drift.get("layer.0") / drift.get("layer." + (layers - 1));
    }

    private static double last(Series s) {
        return s.y()[s.y().length - 1];
    }

    /**
     * Shown when post-norm's layer-0/last-layer drift ratio is below 1 and at most {@link #GAP} of pre-norm's;
     * contradicted when it is not below pre-norm's at all. The weight-gradient ratios while finetuning are quoted:
     * AdamW scales each parameter's step by its own gradient history, so smaller gradients need not mean smaller moves.
     */
    static Verdict verdict(double post, double pre, double postGrad, double preGrad, int layers) {
        Verdict.Status status = post < 1 && post <= GAP * pre ? Verdict.Status.SHOWN
                : post >= pre ? Verdict.Status.CONTRADICTED : Verdict.Status.NOT_SHOWN;
        return new Verdict(status, String.format(Locale.ROOT,
                "relative weight change layer 0 / layer %d after finetuning: post-norm %.3g, pre-norm %.3g "
                        + "(shown if post < 1 and post ≤ %.2f × pre); weight-gradient norm layer 0 / layer %d while "
                        + "finetuning (median): post-norm %.3g, pre-norm %.3g",
                layers - 1, post, pre, GAP, layers - 1, postGrad, preGrad));
    }

    @Override
    public void render(Path dir, HtmlReport report, Path charts) throws IOException {
        CsvTable table = CsvTable.read(dir.resolve("relative_weight_change.csv"));
        Map<String, double[]> groups = new LinkedHashMap<>();
        groups.put("post-norm", table.column("post_norm"));
        groups.put("pre-norm", table.column("pre_norm"));
        Path png = charts.resolve("relative_weight_change.png");
        Charts.bars(png, "relative weight change ‖W−W₀‖/‖W₀‖ after finetuning", "part", "relative change",
                table.labels("group"), groups, true);
        report.image(png, "How far each part of the model moved while finetuning, post-norm vs pre-norm.");
    }
}
