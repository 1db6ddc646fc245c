package dev.minibert.finetune;

import dev.minibert.model.BertConfig;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.PretrainedWeights;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.io.OutputFolder;
import dev.minibert.model.io.RunLock;
import dev.minibert.model.train.AdamW;
import dev.minibert.model.train.Fingerprint;
import dev.minibert.model.train.MicroBatches;
import dev.minibert.model.train.TrainingLoop;
import dev.minibert.model.train.TrainingOptions;
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

    /**
     * Every knob of a finetuning run: the shared {@link TrainingOptions} and the classification ones. Built with
     * {@link #builder()}, which starts from the command's defaults.
     */
    public record Options(TrainingOptions training, Path model, Path train, Path dev, Path out, String textColumn,
                          String textPairColumn, String labelColumn, int maxSeqLen, String bestMetric, int patience,
                          boolean classWeights, int freezeLayers, double layerwiseLrDecay, boolean skipBadRows,
                          boolean groupByLength) {
        public Options {
            if (!bestMetric.equals("accuracy") && !bestMetric.equals("macro_f1")) {
                throw new IllegalArgumentException("--metric must be accuracy or macro_f1, got " + bestMetric);
            }
        }

        public static Builder builder() {
            return new Builder();
        }
    }

    /** {@code minibert finetune}'s options one by one, its defaults where unset; warmup steps replace the ratio. */
    public static final class Builder extends TrainingOptions.Builder<Builder> {
        private Path model;
        private Path train;
        private Path dev;
        private Path out;
        private String textColumn;
        private String textPairColumn;
        private String labelColumn = "label";
        private int maxSeqLen = 128;
        private String bestMetric = "macro_f1";
        private int patience;
        private boolean classWeights;
        private int freezeLayers;
        private double layerwiseLrDecay = 1.0;
        private boolean skipBadRows;
        private boolean groupByLength;

        private Builder() {
            // one checkpoint per epoch (saveEvery null); two kept, so that a damaged newest one leaves one to resume from
            epochs(3).batchSize(16).learningRate(5e-5).warmupRatio(0.1).saveEvery(null).keepCheckpoints(2);
        }

        public Builder model(Path model) {
            this.model = model;
            return this;
        }

        public Builder train(Path train) {
            this.train = train;
            return this;
        }

        public Builder dev(Path dev) {
            this.dev = dev;
            return this;
        }

        public Builder out(Path out) {
            this.out = out;
            return this;
        }

        public Builder textColumn(String textColumn) {
            this.textColumn = textColumn;
            return this;
        }

        public Builder textPairColumn(String textPairColumn) {
            this.textPairColumn = textPairColumn;
            return this;
        }

        public Builder labelColumn(String labelColumn) {
            this.labelColumn = labelColumn;
            return this;
        }

        public Builder maxSeqLen(int maxSeqLen) {
            this.maxSeqLen = maxSeqLen;
            return this;
        }

        public Builder bestMetric(String bestMetric) {
            this.bestMetric = bestMetric;
            return this;
        }

        public Builder patience(int patience) {
            this.patience = patience;
            return this;
        }

        public Builder classWeights(boolean classWeights) {
            this.classWeights = classWeights;
            return this;
        }

        public Builder freezeLayers(int freezeLayers) {
            this.freezeLayers = freezeLayers;
            return this;
        }

        public Builder layerwiseLrDecay(double layerwiseLrDecay) {
            this.layerwiseLrDecay = layerwiseLrDecay;
            return this;
        }

        public Builder skipBadRows(boolean skipBadRows) {
            this.skipBadRows = skipBadRows;
            return this;
        }

        public Builder groupByLength(boolean groupByLength) {
            this.groupByLength = groupByLength;
            return this;
        }

        public Options build() {
            if (hasWarmupSteps()) {
                warmupRatio(null);
            }
            return new Options(training(), model, train, dev, out, textColumn, textPairColumn, labelColumn, maxSeqLen,
                    bestMetric, patience, classWeights, freezeLayers, layerwiseLrDecay, skipBadRows, groupByLength);
        }
    }

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
        PretrainedWeights.load(pretrained, store, n -> n.startsWith("classifier.") || n.startsWith("bert.pooler."),
                o.training().seed());

        try (RunLock lock = OutputFolder.openRun(o.out(), ModelDirectory.FINETUNE_KIND, FILES, o.training().start())) {
            return train(o, checkpoint, pretrained, labels, store, model, trainData, devData, listener);
        }
    }

    /** The run itself, while this process holds the output folder's lock. */
    private static TrainingLoop.Result train(Options o, Path checkpoint, ModelDirectory pretrained, LabelMap labels,
            ParameterStore store, BertForSequenceClassification model, EncodedExamples trainData, EncodedExamples devData,
            Consumer<Map<String, Object>> listener) throws IOException {
        if (o.training().overwrite()) {
            OutputFolder.clear(o.out(), ModelDirectory.FINETUNE_KIND); // only now, the inputs read and checked
        }
        BertConfig config = pretrained.config();
        Path runDir = o.out().resolve(TRAINING);
        TrainingLoop.refuseToOverwrite(runDir, o.training().resume());
        Files.createDirectories(runDir);
        BertConfig outConfig = labels.withLabels(config);
        ClassificationTask.ModelWriter writer = dir -> ModelDirectory.save(dir, outConfig, pretrained.vocab(),
                pretrained.doLowerCase(), store, Map.of(LabelMap.FILE, labels.toJson()));
        TrainingOptions t = o.training();
        MicroBatches microBatches = o.groupByLength() ? t.microBatchesGroupedByLength(trainData.lengths())
                : t.microBatches(trainData.size());
        ClassificationTask task = new ClassificationTask(model, store, trainData, devData, microBatches,
                o.bestMetric(), o.patience(), writer, o.out());
        AdamW adamW = t.optimizer();
        adamW.setLrScale(LayerwiseLr.scales(config.numHiddenLayers, o.freezeLayers(), o.layerwiseLrDecay()));
        TrainingLoop loop = t.loop(task, adamW, trainData.size(), runDir).onMetrics(listener)
                .fingerprint(fingerprint(o, trainData.size()));
        TrainingLoop.Result result = loop.run(t.resume(), checkpoint);
        if (devData == null) {
            writer.write(o.out()); // nothing to choose the best by: the last model is the result
        }
        return result;
    }

    /** Every option that changes which batches and updates the steps see; the number of epochs may grow. */
    private static Fingerprint fingerprint(Options o, int rows) throws IOException {
        TrainingOptions t = o.training();
        return new Fingerprint()
                .folder("--model", o.model())
                .files("--train", List.of(o.train()))
                .put("training rows", rows)
                .files("--dev", o.dev() == null ? null : List.of(o.dev()))
                .put("--text-column", o.textColumn())
                .put("--text-pair-column", o.textPairColumn())
                .put("--label-column", o.labelColumn())
                .put("--skip-bad-rows", o.skipBadRows())
                .put("--seed", t.seed())
                .put("--batch-size", t.batchSize())
                .put("--gradient-accumulation", t.accumulation())
                .put("--group-by-length", o.groupByLength())
                .put("--max-seq-len", o.maxSeqLen())
                .put("--learning-rate", t.learningRate())
                .put("--warmup-ratio", t.warmupRatio())
                .put("--warmup-steps", t.warmupSteps())
                .put("--weight-decay", t.weightDecay())
                .put("--max-grad-norm", t.maxGradNorm())
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
