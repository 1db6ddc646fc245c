package dev.minibert.finetune;

import dev.minibert.model.BertConfig;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.PretrainedWeights;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.io.OutputFolder;
import dev.minibert.model.io.RunLock;
import dev.minibert.model.train.AdamW;
import dev.minibert.model.train.EpochOrder;
import dev.minibert.model.train.Fingerprint;
import dev.minibert.model.train.LinearWarmupDecay;
import dev.minibert.model.train.TotalStepsListener;
import dev.minibert.model.train.TrainingLoop;
import dev.minibert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code minibert finetune}: a pretrained model directory + labeled data → a classifier directory
 * ({@code config.json} with id2label/label2id, {@code vocab.txt}, {@code model.safetensors},
 * {@code labels.json}) holding the best dev checkpoint; training artefacts under {@code out/training/}.
 */
public final class Finetuning {
    private static final Logger LOG = LoggerFactory.getLogger(Finetuning.class);
    /** The run's entries besides the model files (what --overwrite deletes along with them). */
    private static final String TRAINING = "training";
    private static final List<String> FILES = List.of(TRAINING);

    public record Options(Path model, Path train, Path dev, Path out, String textColumn, String textPairColumn,
                          String labelColumn, int epochs, int batchSize,
                          int accumulation, int maxSeqLen, double learningRate, Double warmupRatio, Long warmupSteps,
                          double weightDecay, double maxGradNorm, int logEvery, long seed, boolean resume,
                          String bestMetric, int patience, boolean classWeights, int freezeLayers,
                          double layerwiseLrDecay, boolean skipBadRows, int maxBadSteps, boolean groupByLength) {
        public Options {
            if (!bestMetric.equals("accuracy") && !bestMetric.equals("macro_f1")) {
                throw new IllegalArgumentException("--metric must be accuracy or macro_f1, got " + bestMetric);
            }
        }
    }

    /** One checkpoint per epoch; two kept, so that a damaged newest one leaves a previous one to resume from. */
    static final int KEEP_CHECKPOINTS = 2;

    private Finetuning() {
    }

    public static TrainingLoop.Result run(Options o, Consumer<Map<String, Object>> listener) throws IOException {
        return run(o, null, listener);
    }

    /** With {@code o.resume()}, continues from {@code checkpoint} (a checkpoint-N folder), or the newest intact one if null. */
    public static TrainingLoop.Result run(Options o, Path checkpoint, Consumer<Map<String, Object>> listener)
            throws IOException {
        ModelDirectory pretrained = ModelDirectory.open(o.model());
        BertConfig config = pretrained.config();
        ClassificationDataset train = ClassificationDataset.load(o.train(), format(o, o.train()), null, o.skipBadRows());
        LabelMap labels = train.labels();
        ClassificationDataset dev = o.dev() == null ? null
                : ClassificationDataset.load(o.dev(), format(o, o.dev()), labels, o.skipBadRows());
        if (labels.size() < 2) {
            throw new IllegalArgumentException(o.train() + ": only " + labels.size() + " label(s); a classifier needs 2 or more");
        }
        BertTokenizer tokenizer = new BertTokenizer(pretrained.vocab(), pretrained.doLowerCase());
        EncodedExamples trainData = new EncodedExamples(train.examples(), tokenizer, o.maxSeqLen());
        EncodedExamples devData = dev == null ? null : new EncodedExamples(dev.examples(), tokenizer, o.maxSeqLen());
        LOG.info("{} training and {} dev examples, {} labels", trainData.size(), devData == null ? 0 : devData.size(),
                labels.size());

        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForSequenceClassification model = new BertForSequenceClassification(config, store, labels.size(),
                o.classWeights() ? balancedWeights(trainData.labels(), labels.size()) : null);
        PretrainedWeights.load(pretrained, store, n -> n.startsWith("classifier.") || n.startsWith("bert.pooler."), o.seed());

        try (RunLock lock = OutputFolder.openRun(o.out(), ModelDirectory.FINETUNE_KIND, FILES, o.resume())) {
            return train(o, checkpoint, pretrained, labels, store, model, trainData, devData, listener);
        }
    }

    /** The run itself, while this process holds the output folder's lock. */
    private static TrainingLoop.Result train(Options o, Path checkpoint, ModelDirectory pretrained, LabelMap labels,
            ParameterStore store, BertForSequenceClassification model, EncodedExamples trainData, EncodedExamples devData,
            Consumer<Map<String, Object>> listener) throws IOException {
        BertConfig config = pretrained.config();
        Path runDir = o.out().resolve(TRAINING);
        TrainingLoop.refuseToOverwrite(runDir, o.resume());
        Files.createDirectories(runDir);
        BertConfig outConfig = labels.withLabels(config);
        ClassificationTask.ModelWriter writer = dir -> ModelDirectory.save(dir, outConfig, pretrained.vocab(),
                pretrained.doLowerCase(), store, Map.of(LabelMap.FILE, labels.toJson()));
        long total = EpochOrder.stepsFor(trainData.size(), o.batchSize(), o.accumulation(), o.epochs());
        long warmup = o.warmupSteps() != null ? o.warmupSteps()
                : o.warmupRatio() != null ? Math.round(o.warmupRatio() * total) : 0;
        if (listener instanceof TotalStepsListener t) {
            t.totalSteps(total);
        }
        EpochOrder order = o.groupByLength() ? EpochOrder.groupedByLength(trainData.lengths(), o.batchSize(), o.seed())
                : new EpochOrder(trainData.size(), o.batchSize(), o.seed());
        ClassificationTask task = new ClassificationTask(model, store, trainData, devData, order,
                o.accumulation(), o.seed(), o.bestMetric(), o.patience(), writer, o.out());
        AdamW adamW = new AdamW(0.9, 0.999, 1e-8, o.weightDecay());
        adamW.setLrScale(LayerwiseLr.scales(config.numHiddenLayers, o.freezeLayers(), o.layerwiseLrDecay()));
        TrainingLoop loop = new TrainingLoop(task, adamW, new LinearWarmupDecay(o.learningRate(), warmup, total),
                new TrainingLoop.Options(total, o.accumulation(), o.maxGradNorm(), o.logEvery(),
                        (int) EpochOrder.stepsFor(trainData.size(), o.batchSize(), o.accumulation(), 1), KEEP_CHECKPOINTS,
                        o.maxBadSteps()),
                runDir).onMetrics(listener).fingerprint(fingerprint(o, trainData.size()));
        TrainingLoop.Result result = loop.run(o.resume(), checkpoint);
        if (devData == null) {
            writer.write(o.out()); // nothing to choose the best by: the last model is the result
        }
        return result;
    }

    /** Every option that changes which batches and updates the steps see; the number of epochs may grow. */
    private static Fingerprint fingerprint(Options o, int rows) throws IOException {
        return new Fingerprint()
                .folder("--model", o.model())
                .files("--train", List.of(o.train()))
                .put("training rows", rows)
                .files("--dev", o.dev() == null ? null : List.of(o.dev()))
                .put("--text-column", o.textColumn())
                .put("--text-pair-column", o.textPairColumn())
                .put("--label-column", o.labelColumn())
                .put("--skip-bad-rows", o.skipBadRows())
                .put("--seed", o.seed())
                .put("--batch-size", o.batchSize())
                .put("--gradient-accumulation", o.accumulation())
                .put("--group-by-length", o.groupByLength())
                .put("--max-seq-len", o.maxSeqLen())
                .put("--learning-rate", o.learningRate())
                .put("--warmup-ratio", o.warmupRatio())
                .put("--warmup-steps", o.warmupSteps())
                .put("--weight-decay", o.weightDecay())
                .put("--max-grad-norm", o.maxGradNorm())
                .put("--class-weights", o.classWeights())
                .put("--freeze-layers", o.freezeLayers())
                .put("--layerwise-lr-decay", o.layerwiseLrDecay())
                .put("--metric", o.bestMetric())
                .put("--patience", o.patience());
    }

    /** Columns (or JSONL keys) from the options; the kind from the file's extension; header detected. */
    static DatasetFormat format(Options o, Path file) {
        boolean pair = o.textPairColumn() != null;
        String text = o.textColumn() != null ? o.textColumn() : pair ? "text_a" : "text";
        return new DatasetFormat(DatasetFormat.kindOf(file), text, o.textPairColumn(), o.labelColumn(), null);
    }

    /** Inverse-frequency weights, normalised to mean 1 over the training rows (sklearn's "balanced"). */
    static double[] balancedWeights(int[] labels, int numLabels) {
        long[] counts = new long[numLabels];
        for (int y : labels) {
            counts[y]++;
        }
        double[] w = new double[numLabels];
        for (int c = 0; c < numLabels; c++) {
            w[c] = counts[c] == 0 ? 0 : (double) labels.length / (numLabels * counts[c]);
        }
        return w;
    }
}
