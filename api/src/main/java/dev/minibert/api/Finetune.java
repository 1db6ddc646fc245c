package dev.minibert.api;

import dev.minibert.finetune.Finetuning;
import dev.minibert.model.Nd4jSetup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Finetuning for text classification, configured option by option with {@code minibert finetune}'s defaults; unset
 * options keep them. Values are checked when the run starts, as the command checks them. Example:
 * {@code Finetune.model(pretrained).train(trainCsv).dev(devCsv).out(dir).epochs(2).run()}, then
 * {@link Classifier#load(Path)} on {@code dir}.
 */
public final class Finetune {
    private final Finetuning.Builder options = Finetuning.Options.builder();
    private int threads = Nd4jSetup.cores();
    private Consumer<Map<String, Object>> listener = m -> { };
    private Path checkpoint; // null: the newest intact one, when resuming

    private Finetune(Path model) {
        options.model(model);
    }

    /**
     * Starts a run on a pretrained model directory.
     *
     * @param model a model directory (an MLM-pretrained, imported or finetuned BERT)
     * @return the options, to be completed
     */
    public static Finetune model(Path model) {
        return new Finetune(model);
    }

    /**
     * Sets {@code --train} (required).
     *
     * @param train training data: .csv, .tsv or .jsonl with a header naming the columns
     * @return this
     */
    public Finetune train(Path train) {
        options.train(train);
        return this;
    }

    /**
     * Sets {@code --out} (required).
     *
     * @param out output model directory (training/ inside holds metrics and checkpoints)
     * @return this
     */
    public Finetune out(Path out) {
        options.out(out);
        return this;
    }

    /**
     * Sets {@code --dev}.
     *
     * @param dev dev data, evaluated each epoch; the best model by the metric is kept (default none)
     * @return this
     */
    public Finetune dev(Path dev) {
        options.dev(dev);
        return this;
    }

    /**
     * Sets {@code --text-column}.
     *
     * @param textColumn column (or JSONL key) of the text (default: text, or text_a for pairs)
     * @return this
     */
    public Finetune textColumn(String textColumn) {
        options.textColumn(textColumn);
        return this;
    }

    /**
     * Sets {@code --text-pair-column}.
     *
     * @param textPairColumn column of the second text, for sentence pairs
     * @return this
     */
    public Finetune textPairColumn(String textPairColumn) {
        options.textPairColumn(textPairColumn);
        return this;
    }

    /**
     * Sets {@code --label-column}.
     *
     * @param labelColumn column (or JSONL key) of the label (default label)
     * @return this
     */
    public Finetune labelColumn(String labelColumn) {
        options.labelColumn(labelColumn);
        return this;
    }

    /**
     * Sets {@code --epochs}.
     *
     * @param epochs passes over the training data (default 3)
     * @return this
     */
    public Finetune epochs(int epochs) {
        options.epochs(epochs);
        return this;
    }

    /**
     * Sets {@code --batch-size}.
     *
     * @param batchSize examples per optimizer step before accumulation (default 16)
     * @return this
     */
    public Finetune batchSize(int batchSize) {
        options.batchSize(batchSize);
        return this;
    }

    /**
     * Sets {@code --gradient-accumulation}.
     *
     * @param accumulation micro-batches summed into one optimizer step (default 1)
     * @return this
     */
    public Finetune gradientAccumulation(int accumulation) {
        options.accumulation(accumulation);
        return this;
    }

    /**
     * Sets {@code --max-seq-len}.
     *
     * @param maxSeqLen tokens per example, [CLS] and [SEP] included (default 128)
     * @return this
     */
    public Finetune maxSeqLen(int maxSeqLen) {
        options.maxSeqLen(maxSeqLen);
        return this;
    }

    /**
     * Sets {@code --learning-rate}.
     *
     * @param learningRate peak AdamW learning rate (default 5e-5)
     * @return this
     */
    public Finetune learningRate(double learningRate) {
        options.learningRate(learningRate);
        return this;
    }

    /**
     * Sets {@code --warmup-ratio}.
     *
     * @param warmupRatio fraction of the steps spent warming the learning rate up from 0 (default 0.1)
     * @return this
     */
    public Finetune warmupRatio(double warmupRatio) {
        options.warmupRatio(warmupRatio);
        return this;
    }

    /**
     * Sets {@code --warmup-steps}.
     *
     * @param warmupSteps linear warmup steps; overrides the warmup ratio
     * @return this
     */
    public Finetune warmupSteps(long warmupSteps) {
        options.warmupSteps(warmupSteps);
        return this;
    }

    /**
     * Sets {@code --weight-decay}.
     *
     * @param weightDecay AdamW decoupled weight decay, not on LayerNorm or biases (default 0.01)
     * @return this
     */
    public Finetune weightDecay(double weightDecay) {
        options.weightDecay(weightDecay);
        return this;
    }

    /**
     * Sets {@code --max-grad-norm}.
     *
     * @param maxGradNorm clip the global gradient L2 norm to this (default 1.0)
     * @return this
     */
    public Finetune maxGradNorm(double maxGradNorm) {
        options.maxGradNorm(maxGradNorm);
        return this;
    }

    /**
     * Sets {@code --log-every}.
     *
     * @param logEvery append a metrics.jsonl line every this many steps (default 10)
     * @return this
     */
    public Finetune logEvery(int logEvery) {
        options.logEvery(logEvery);
        return this;
    }

    /**
     * Sets {@code --seed}.
     *
     * @param seed the one seed every random choice derives from (default 42)
     * @return this
     */
    public Finetune seed(long seed) {
        options.seed(seed);
        return this;
    }

    /**
     * Sets {@code --resume}: continue from the newest intact checkpoint under out/training (a damaged one
     * is reported and an older one used); refused if an option that changes the training trajectory differs from
     * the checkpoint's.
     *
     * @param resume whether to resume; false also forgets a checkpoint named by {@link #resumeFrom(Path)}
     * @return this
     */
    public Finetune resume(boolean resume) {
        options.resume(resume);
        if (!resume) {
            checkpoint = null;
        }
        return this;
    }

    /**
     * Sets {@code --resume CHECKPOINT}: continue from this checkpoint rather than the newest; a damaged one is refused.
     *
     * @param checkpoint a checkpoint-N folder of an earlier run into the same output directory
     * @return this
     */
    public Finetune resumeFrom(Path checkpoint) {
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
        options.resume(true);
        return this;
    }

    /**
     * Sets {@code --metric}.
     *
     * @param metric accuracy or macro_f1: the dev metric that picks the best model (default macro_f1)
     * @return this
     */
    public Finetune metric(String metric) {
        options.bestMetric(metric);
        return this;
    }

    /**
     * Sets {@code --patience}.
     *
     * @param patience stop after this many epochs without dev improvement, 0 for never (default 0)
     * @return this
     */
    public Finetune patience(int patience) {
        options.patience(patience);
        return this;
    }

    /**
     * Sets {@code --class-weights}.
     *
     * @param classWeights weight the loss by inverse label frequency
     * @return this
     */
    public Finetune classWeights(boolean classWeights) {
        options.classWeights(classWeights);
        return this;
    }

    /**
     * Sets {@code --freeze-layers}.
     *
     * @param freezeLayers freeze the embeddings and the first this many layers (default 0)
     * @return this
     */
    public Finetune freezeLayers(int freezeLayers) {
        options.freezeLayers(freezeLayers);
        return this;
    }

    /**
     * Sets {@code --layerwise-lr-decay}.
     *
     * @param layerwiseLrDecay layer i of L trains at lr times decay^(L-i) (default 1.0)
     * @return this
     */
    public Finetune layerwiseLrDecay(double layerwiseLrDecay) {
        options.layerwiseLrDecay(layerwiseLrDecay);
        return this;
    }

    /**
     * Sets {@code --skip-bad-rows}.
     *
     * @param skipBadRows skip (and count) malformed rows instead of failing
     * @return this
     */
    public Finetune skipBadRows(boolean skipBadRows) {
        options.skipBadRows(skipBadRows);
        return this;
    }

    /**
     * Sets {@code --max-bad-steps}.
     *
     * @param maxBadSteps stop after this many consecutive non-finite losses (default 5)
     * @return this
     */
    public Finetune maxBadSteps(int maxBadSteps) {
        options.maxBadSteps(maxBadSteps);
        return this;
    }

    /**
     * Sets {@code --group-by-length}.
     *
     * @param groupByLength batch rows of similar length together: less padding, faster steps
     * @return this
     */
    public Finetune groupByLength(boolean groupByLength) {
        options.groupByLength(groupByLength);
        return this;
    }

    /**
     * Sets {@code --threads}.
     *
     * @param threads threads for the kernels and matrix products (default: every core)
     * @return this
     */
    public Finetune threads(int threads) {
        this.threads = threads;
        return this;
    }

    /**
     * Receives the metrics of each logged step and dev evaluation (the objects metrics.jsonl holds).
     *
     * @param listener called on the training thread
     * @return this
     */
    public Finetune onMetrics(Consumer<Map<String, Object>> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * The options {@code minibert finetune} builds from the same values.
     *
     * @return the options
     */
    public Finetuning.Options options() {
        Finetuning.Options o = options.build();
        if (o.train() == null || o.out() == null) {
            throw new IllegalArgumentException("finetuning needs train(FILE) and out(DIR)");
        }
        return o;
    }

    /**
     * Runs the finetuning; the classifier lands in the output directory.
     *
     * @return how the run ended
     * @throws IOException when a file cannot be read or written; the message names it
     */
    public TrainingSummary run() throws IOException {
        Finetuning.Options o = options();
        Nd4jSetup.init(threads);
        return TrainingSummary.of(Finetuning.run(o, checkpoint, listener), o.out());
    }
}
