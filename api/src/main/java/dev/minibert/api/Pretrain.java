package dev.minibert.api;

import dev.minibert.model.Nd4jSetup;
import dev.minibert.pretrain.Pretraining;
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
    private final List<Path> corpus;
    private final Path shards;
    private boolean verifyShards;
    private Path vocab;
    private Path config;
    private Path initFrom;
    private Path out;
    private Long maxSteps;
    private int epochs = 1;
    private int batchSize = 32;
    private int accumulation = 1;
    private int maxSeqLen = 128;
    private double learningRate = 1e-4;
    private Long warmupSteps;
    private Double warmupRatio;
    private Double decayRatio;
    private double weightDecay = 0.01;
    private double adamEpsilon = 1e-8;
    private double maxGradNorm = 1.0;
    private int logEvery = 10;
    private int saveEvery = 500;
    private int keepCheckpoints = 3;
    private long seed = 42;
    private boolean resume;
    private boolean headTransform = true;
    private boolean wholeWordMask;
    private double evalFraction = 0.02;
    private int maxPredictionsPerSeq = 20;
    private double shortSeqProb = 0.1;
    private boolean documentPerLine;
    private boolean skipBadLines;
    private int maxBadSteps = 5;
    private Boolean lowercase;
    private double mlmProbability = 0.15;
    private int threads = Nd4jSetup.cores();
    private Consumer<Map<String, Object>> listener = m -> { };

    private Pretrain(List<Path> corpus, Path shards) {
        this.corpus = corpus == null ? null : List.copyOf(corpus);
        this.shards = shards;
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
     * Sets {@code --verify-shards}.
     *
     * @param verify whether to check every shard file's sha256 before training (their sizes are always checked)
     * @return this
     */
    public Pretrain verifyShards(boolean verify) {
        this.verifyShards = verify;
        return this;
    }

    /**
     * Sets {@code --vocab}.
     *
     * @param vocab vocab.txt (with {@link #initFrom}: defaults to the model's)
     * @return this
     */
    public Pretrain vocab(Path vocab) {
        this.vocab = vocab;
        return this;
    }

    /**
     * Sets {@code --config}.
     *
     * @param config model config.json (HF keys and norm_style)
     * @return this
     */
    public Pretrain config(Path config) {
        this.config = config;
        return this;
    }

    /**
     * Sets {@code --init-from}.
     *
     * @param initFrom a model directory to continue pretraining
     * @return this
     */
    public Pretrain initFrom(Path initFrom) {
        this.initFrom = initFrom;
        return this;
    }

    /**
     * Sets {@code --out} (required).
     *
     * @param out run directory: metrics.jsonl, checkpoints/, model/
     * @return this
     */
    public Pretrain out(Path out) {
        this.out = out;
        return this;
    }

    /**
     * Sets {@code --max-steps}.
     *
     * @param maxSteps optimizer steps (default: {@link #epochs} passes over the data)
     * @return this
     */
    public Pretrain maxSteps(long maxSteps) {
        this.maxSteps = maxSteps;
        return this;
    }

    /**
     * Sets {@code --epochs}.
     *
     * @param epochs passes over the data when no maximum of steps is given (default 1)
     * @return this
     */
    public Pretrain epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    /**
     * Sets {@code --batch-size}.
     *
     * @param batchSize examples per optimizer step before accumulation (default 32)
     * @return this
     */
    public Pretrain batchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
    }

    /**
     * Sets {@code --gradient-accumulation}.
     *
     * @param accumulation micro-batches summed into one optimizer step (default 1)
     * @return this
     */
    public Pretrain gradientAccumulation(int accumulation) {
        this.accumulation = accumulation;
        return this;
    }

    /**
     * Sets {@code --max-seq-len}.
     *
     * @param maxSeqLen tokens per sequence, [CLS] and [SEP] included (default 128)
     * @return this
     */
    public Pretrain maxSeqLen(int maxSeqLen) {
        this.maxSeqLen = maxSeqLen;
        return this;
    }

    /**
     * Sets {@code --learning-rate}.
     *
     * @param learningRate peak AdamW learning rate (default 1e-4)
     * @return this
     */
    public Pretrain learningRate(double learningRate) {
        this.learningRate = learningRate;
        return this;
    }

    /**
     * Sets {@code --warmup-steps}.
     *
     * @param warmupSteps linear warmup steps (default none)
     * @return this
     */
    public Pretrain warmupSteps(long warmupSteps) {
        this.warmupSteps = warmupSteps;
        return this;
    }

    /**
     * Sets {@code --warmup-ratio}.
     *
     * @param warmupRatio warmup as a fraction of all steps
     * @return this
     */
    public Pretrain warmupRatio(double warmupRatio) {
        this.warmupRatio = warmupRatio;
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
        this.decayRatio = decayRatio;
        return this;
    }

    /**
     * Sets {@code --weight-decay}.
     *
     * @param weightDecay AdamW decoupled weight decay, not on LayerNorm or biases (default 0.01)
     * @return this
     */
    public Pretrain weightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
        return this;
    }

    /**
     * Sets {@code --adam-epsilon}.
     *
     * @param adamEpsilon AdamW epsilon (default 1e-8)
     * @return this
     */
    public Pretrain adamEpsilon(double adamEpsilon) {
        this.adamEpsilon = adamEpsilon;
        return this;
    }

    /**
     * Sets {@code --max-grad-norm}.
     *
     * @param maxGradNorm global-norm clipping, 0 for none (default 1.0)
     * @return this
     */
    public Pretrain maxGradNorm(double maxGradNorm) {
        this.maxGradNorm = maxGradNorm;
        return this;
    }

    /**
     * Sets {@code --log-every}.
     *
     * @param logEvery append a metrics.jsonl line every this many steps (default 10)
     * @return this
     */
    public Pretrain logEvery(int logEvery) {
        this.logEvery = logEvery;
        return this;
    }

    /**
     * Sets {@code --save-every}.
     *
     * @param saveEvery checkpoint every this many steps, and at the end (default 500)
     * @return this
     */
    public Pretrain saveEvery(int saveEvery) {
        this.saveEvery = saveEvery;
        return this;
    }

    /**
     * Sets {@code --keep-checkpoints}.
     *
     * @param keepCheckpoints how many of the latest checkpoints to keep (default 3)
     * @return this
     */
    public Pretrain keepCheckpoints(int keepCheckpoints) {
        this.keepCheckpoints = keepCheckpoints;
        return this;
    }

    /**
     * Sets {@code --seed}.
     *
     * @param seed the one seed every random choice derives from (default 42)
     * @return this
     */
    public Pretrain seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Sets {@code --resume}.
     *
     * @param resume continue from the latest checkpoint under the output directory
     * @return this
     */
    public Pretrain resume(boolean resume) {
        this.resume = resume;
        return this;
    }

    /**
     * Sets {@code --no-head-transform} (negated).
     *
     * @param headTransform whether the MLM head has its Dense+GELU+LayerNorm transform (default true)
     * @return this
     */
    public Pretrain headTransform(boolean headTransform) {
        this.headTransform = headTransform;
        return this;
    }

    /**
     * Sets {@code --whole-word-mask}.
     *
     * @param wholeWordMask mask whole Chinese words (jieba segmentation)
     * @return this
     */
    public Pretrain wholeWordMask(boolean wholeWordMask) {
        this.wholeWordMask = wholeWordMask;
        return this;
    }

    /**
     * Sets {@code --eval-fraction}.
     *
     * @param evalFraction documents held out for MLM evaluation (default 0.02)
     * @return this
     */
    public Pretrain evalFraction(double evalFraction) {
        this.evalFraction = evalFraction;
        return this;
    }

    /**
     * Sets {@code --max-predictions-per-seq}.
     *
     * @param maxPredictionsPerSeq at most this many masked positions per sequence (default 20)
     * @return this
     */
    public Pretrain maxPredictionsPerSeq(int maxPredictionsPerSeq) {
        this.maxPredictionsPerSeq = maxPredictionsPerSeq;
        return this;
    }

    /**
     * Sets {@code --short-seq-prob}.
     *
     * @param shortSeqProb probability of a shorter target length per instance (default 0.1)
     * @return this
     */
    public Pretrain shortSeqProb(double shortSeqProb) {
        this.shortSeqProb = shortSeqProb;
        return this;
    }

    /**
     * Sets {@code --document-per-line}.
     *
     * @param documentPerLine each line is a whole document
     * @return this
     */
    public Pretrain documentPerLine(boolean documentPerLine) {
        this.documentPerLine = documentPerLine;
        return this;
    }

    /**
     * Sets {@code --skip-bad-lines}.
     *
     * @param skipBadLines skip (and count) lines with invalid UTF-8 instead of failing
     * @return this
     */
    public Pretrain skipBadLines(boolean skipBadLines) {
        this.skipBadLines = skipBadLines;
        return this;
    }

    /**
     * Sets {@code --max-bad-steps}.
     *
     * @param maxBadSteps consecutive non-finite steps before giving up (default 5)
     * @return this
     */
    public Pretrain maxBadSteps(int maxBadSteps) {
        this.maxBadSteps = maxBadSteps;
        return this;
    }

    /**
     * Sets {@code --lowercase}.
     *
     * @param lowercase lower-case text (default: true, or the model's setting with {@link #initFrom})
     * @return this
     */
    public Pretrain lowercase(boolean lowercase) {
        this.lowercase = lowercase;
        return this;
    }

    /**
     * Sets {@code --mlm-probability}.
     *
     * @param mlmProbability fraction of tokens chosen for masking, in (0, 1) (default 0.15)
     * @return this
     */
    public Pretrain mlmProbability(double mlmProbability) {
        this.mlmProbability = mlmProbability;
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
     * The options record {@code minibert pretrain} builds from the same values.
     *
     * @return the record
     */
    public Pretraining.Options options() {
        if (out == null) {
            throw new IllegalArgumentException("pretraining needs an output directory: call out(DIR)");
        }
        return new Pretraining.Options(corpus, vocab, config, initFrom, out, maxSteps, epochs, batchSize, accumulation,
                maxSeqLen, learningRate, warmupSteps, warmupRatio, weightDecay, adamEpsilon, maxGradNorm, logEvery,
                saveEvery, keepCheckpoints, seed, resume, headTransform, wholeWordMask, evalFraction,
                maxPredictionsPerSeq, shortSeqProb, documentPerLine, skipBadLines, maxBadSteps, lowercase, decayRatio,
                mlmProbability, shards, verifyShards);
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
        return TrainingSummary.of(Pretraining.run(o, listener), o.out().resolve("model"));
    }
}
