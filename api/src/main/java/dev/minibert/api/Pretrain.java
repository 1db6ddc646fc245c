package dev.minibert.api;

import dev.minibert.model.Nd4jSetup;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.pretrain.PretrainingRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Masked-LM pretraining, configured option by option with {@code minibert pretrain}'s defaults; unset options keep
 * them. Values are checked when the run starts, as the command checks them. Example:
 * {@code Pretrain.corpus(List.of(corpus)).config(config).vocab(vocab).out(runDir).maxSteps(100).run()}.
 */
public final class Pretrain {
    private final Pretraining.Builder options = Pretraining.Options.builder();
    private int threads = Nd4jSetup.cores();
    private Consumer<Map<String, Object>> listener = m -> { };
    private Path checkpoint; // null: the newest intact one, when resuming

    private Pretrain(List<Path> corpus, Path shards) {
        options.corpus(corpus).shards(shards);
    }

    /**
     * Starts a run over a corpus.
     *
     * @param corpus UTF-8 text files or folders (.gz too): one sentence per line, a blank line between documents
     * @return the options, to be completed
     */
    public static Pretrain corpus(List<Path> corpus) {
        return new Pretrain(Objects.requireNonNull(corpus, "corpus"), null);
    }

    /**
     * Starts a run over a shard folder written by {@code minibert shard} (as {@code pretrain --shards}).
     *
     * @param shards the shard folder
     * @return the options, to be completed
     */
    public static Pretrain shards(Path shards) {
        return new Pretrain(null, Objects.requireNonNull(shards, "shards"));
    }

    /**
     * Sets {@code --recipe NAME}: a named, measured set of hyperparameters (learning rate, warmup, decay, batch size,
     * sequence length). Call it before the setters that should override it.
     *
     * @param recipe e.g. {@link PretrainingRecipe#QUICKSTART}, the recipe that leaves the unigram plateau
     * @return this
     */
    public Pretrain recipe(PretrainingRecipe recipe) {
        recipe.applyTo(options);
        return this;
    }

    /**
     * Sets {@code --verify-shards}.
     *
     * @param verify whether to check every shard file's sha256 before training (their sizes are always checked)
     * @return this
     */
    public Pretrain verifyShards(boolean verify) {
        options.verifyShards(verify);
        return this;
    }

    /**
     * Sets {@code --vocab}.
     *
     * @param vocab vocab.txt (with {@link #initFrom}: defaults to the model's)
     * @return this
     */
    public Pretrain vocab(Path vocab) {
        options.vocab(vocab);
        return this;
    }

    /**
     * Sets {@code --config}.
     *
     * @param config model config.json (HF keys and norm_style)
     * @return this
     */
    public Pretrain config(Path config) {
        options.config(config);
        return this;
    }

    /**
     * Sets {@code --init-from}.
     *
     * @param initFrom a model directory to continue pretraining
     * @return this
     */
    public Pretrain initFrom(Path initFrom) {
        options.initFrom(initFrom);
        return this;
    }

    /**
     * Sets {@code --out} (required).
     *
     * @param out run directory: metrics.jsonl, checkpoints/, model/
     * @return this
     */
    public Pretrain out(Path out) {
        options.out(out);
        return this;
    }

    /**
     * Sets {@code --max-steps}.
     *
     * @param maxSteps optimizer steps (default: {@link #epochs} passes over the data)
     * @return this
     */
    public Pretrain maxSteps(long maxSteps) {
        options.maxSteps(maxSteps);
        return this;
    }

    /**
     * Sets {@code --epochs}.
     *
     * @param epochs passes over the data when no maximum of steps is given (default 1)
     * @return this
     */
    public Pretrain epochs(int epochs) {
        options.epochs(epochs);
        return this;
    }

    /**
     * Sets {@code --batch-size}.
     *
     * @param batchSize examples per optimizer step before accumulation (default 32)
     * @return this
     */
    public Pretrain batchSize(int batchSize) {
        options.batchSize(batchSize);
        return this;
    }

    /**
     * Sets {@code --gradient-accumulation}.
     *
     * @param accumulation micro-batches summed into one optimizer step (default 1)
     * @return this
     */
    public Pretrain gradientAccumulation(int accumulation) {
        options.accumulation(accumulation);
        return this;
    }

    /**
     * Sets {@code --max-seq-len}.
     *
     * @param maxSeqLen tokens per sequence, [CLS] and [SEP] included (default 128)
     * @return this
     */
    public Pretrain maxSeqLen(int maxSeqLen) {
        options.maxSeqLen(maxSeqLen);
        return this;
    }

    /**
     * Sets {@code --learning-rate}.
     *
     * @param learningRate peak AdamW learning rate (default 1e-4)
     * @return this
     */
    public Pretrain learningRate(double learningRate) {
        options.learningRate(learningRate);
        return this;
    }

    /**
     * Sets {@code --warmup-steps}.
     *
     * @param warmupSteps linear warmup steps (default none)
     * @return this
     */
    public Pretrain warmupSteps(long warmupSteps) {
        options.warmupSteps(warmupSteps);
        return this;
    }

    /**
     * Sets {@code --warmup-ratio}.
     *
     * @param warmupRatio warmup as a fraction of all steps
     * @return this
     */
    public Pretrain warmupRatio(double warmupRatio) {
        options.warmupRatio(warmupRatio);
        return this;
    }

    /**
     * Sets {@code --decay-ratio}.
     *
     * @param decayRatio linear decay to 0 over this last fraction of the steps, the peak held before it (default:
     *     every step after warmup)
     * @return this
     */
    public Pretrain decayRatio(double decayRatio) {
        options.decayRatio(decayRatio);
        return this;
    }

    /**
     * Sets {@code --weight-decay}.
     *
     * @param weightDecay AdamW decoupled weight decay, not on LayerNorm or biases (default 0.01)
     * @return this
     */
    public Pretrain weightDecay(double weightDecay) {
        options.weightDecay(weightDecay);
        return this;
    }

    /**
     * Sets {@code --adam-epsilon}.
     *
     * @param adamEpsilon AdamW epsilon (default 1e-8)
     * @return this
     */
    public Pretrain adamEpsilon(double adamEpsilon) {
        options.adamEpsilon(adamEpsilon);
        return this;
    }

    /**
     * Sets {@code --max-grad-norm}.
     *
     * @param maxGradNorm global-norm clipping, 0 for none (default 1.0)
     * @return this
     */
    public Pretrain maxGradNorm(double maxGradNorm) {
        options.maxGradNorm(maxGradNorm);
        return this;
    }

    /**
     * Sets {@code --log-every}.
     *
     * @param logEvery append a metrics.jsonl line every this many steps (default 10)
     * @return this
     */
    public Pretrain logEvery(int logEvery) {
        options.logEvery(logEvery);
        return this;
    }

    /**
     * Sets {@code --save-every}.
     *
     * @param saveEvery checkpoint every this many steps, and at the end (default 500)
     * @return this
     */
    public Pretrain saveEvery(int saveEvery) {
        options.saveEvery(saveEvery);
        return this;
    }

    /**
     * Sets {@code --keep-checkpoints}.
     *
     * @param keepCheckpoints how many of the latest checkpoints to keep (default 3)
     * @return this
     */
    public Pretrain keepCheckpoints(int keepCheckpoints) {
        options.keepCheckpoints(keepCheckpoints);
        return this;
    }

    /**
     * Sets {@code --seed}.
     *
     * @param seed the one seed every random choice derives from (default 42)
     * @return this
     */
    public Pretrain seed(long seed) {
        options.seed(seed);
        return this;
    }

    /**
     * Sets {@code --resume}: continue from the newest intact checkpoint under the output directory (a damaged one
     * is reported and an older one used); refused if an option that changes the training trajectory differs from
     * the checkpoint's.
     *
     * @param resume whether to resume; false also forgets a checkpoint named by {@link #resumeFrom(Path)}
     * @return this
     */
    public Pretrain resume(boolean resume) {
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
    public Pretrain resumeFrom(Path checkpoint) {
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
        options.resume(true);
        return this;
    }

    /**
     * Sets {@code --no-head-transform} (negated).
     *
     * @param headTransform whether the MLM head has its Dense+GELU+LayerNorm transform (default true)
     * @return this
     */
    public Pretrain headTransform(boolean headTransform) {
        options.headTransform(headTransform);
        return this;
    }

    /**
     * Sets {@code --whole-word-mask}.
     *
     * @param wholeWordMask mask whole Chinese words (jieba segmentation)
     * @return this
     */
    public Pretrain wholeWordMask(boolean wholeWordMask) {
        options.wholeWordMask(wholeWordMask);
        return this;
    }

    /**
     * Sets {@code --eval-fraction}.
     *
     * @param evalFraction documents held out for MLM evaluation (default 0.02)
     * @return this
     */
    public Pretrain evalFraction(double evalFraction) {
        options.evalFraction(evalFraction);
        return this;
    }

    /**
     * Sets {@code --max-predictions-per-seq}.
     *
     * @param maxPredictionsPerSeq at most this many masked positions per sequence (default 20)
     * @return this
     */
    public Pretrain maxPredictionsPerSeq(int maxPredictionsPerSeq) {
        options.maxPredictionsPerSeq(maxPredictionsPerSeq);
        return this;
    }

    /**
     * Sets {@code --short-seq-prob}.
     *
     * @param shortSeqProb probability of a shorter target length per instance (default 0.1)
     * @return this
     */
    public Pretrain shortSeqProb(double shortSeqProb) {
        options.shortSeqProb(shortSeqProb);
        return this;
    }

    /**
     * Sets {@code --document-per-line}.
     *
     * @param documentPerLine each line is a whole document
     * @return this
     */
    public Pretrain documentPerLine(boolean documentPerLine) {
        options.documentPerLine(documentPerLine);
        return this;
    }

    /**
     * Sets {@code --skip-bad-lines}.
     *
     * @param skipBadLines skip (and count) lines with invalid UTF-8 instead of failing
     * @return this
     */
    public Pretrain skipBadLines(boolean skipBadLines) {
        options.skipBadLines(skipBadLines);
        return this;
    }

    /**
     * Sets {@code --max-bad-steps}.
     *
     * @param maxBadSteps consecutive non-finite steps before giving up (default 5)
     * @return this
     */
    public Pretrain maxBadSteps(int maxBadSteps) {
        options.maxBadSteps(maxBadSteps);
        return this;
    }

    /**
     * Sets {@code --lowercase}.
     *
     * @param lowercase lower-case text (default: true, or the model's setting with {@link #initFrom})
     * @return this
     */
    public Pretrain lowercase(boolean lowercase) {
        options.lowercase(lowercase);
        return this;
    }

    /**
     * Sets {@code --mlm-probability}.
     *
     * @param mlmProbability fraction of tokens chosen for masking, in (0, 1) (default 0.15)
     * @return this
     */
    public Pretrain mlmProbability(double mlmProbability) {
        options.mlmProbability(mlmProbability);
        return this;
    }

    /**
     * Sets {@code --threads}.
     *
     * @param threads threads for the kernels and matrix products (default: every core)
     * @return this
     */
    public Pretrain threads(int threads) {
        this.threads = threads;
        return this;
    }

    /**
     * Receives the metrics of each logged step (the objects metrics.jsonl holds).
     *
     * @param listener called on the training thread
     * @return this
     */
    public Pretrain onMetrics(Consumer<Map<String, Object>> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * The options {@code minibert pretrain} builds from the same values.
     *
     * @return the options
     */
    public Pretraining.Options options() {
        Pretraining.Options o = options.build();
        if (o.out() == null) {
            throw new IllegalArgumentException("pretraining needs an output directory: call out(DIR)");
        }
        return o;
    }

    /**
     * Runs the pretraining; the model lands in {@code out/model}.
     *
     * @return how the run ended
     * @throws IOException when a file cannot be read or written; the message names it
     */
    public TrainingSummary run() throws IOException {
        Pretraining.Options o = options();
        Nd4jSetup.init(threads);
        return TrainingSummary.of(Pretraining.run(o, checkpoint, listener), o.out().resolve("model"));
    }
}
