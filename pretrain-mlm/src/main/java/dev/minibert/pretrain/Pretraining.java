package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.PretrainedWeights;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.io.OutputFolder;
import dev.minibert.model.io.RunLock;
import dev.minibert.model.train.Fingerprint;
import dev.minibert.model.train.SeedPurpose;
import dev.minibert.model.train.StepGradient;
import dev.minibert.model.train.TrainingLoop;
import dev.minibert.model.train.TrainingOptions;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code minibert pretrain}: corpus (or shards of it) → instances → dynamic masking → BertForMaskedLM through the
 * shared loop.
 */
public final class Pretraining {
    private static final Logger LOG = LoggerFactory.getLogger(Pretraining.class);
    /** The run folder's marker kind and the entries a run writes there (what --overwrite deletes). */
    public static final String KIND = "pretrain";
    private static final List<String> FILES = List.of("metrics.jsonl", "checkpoints", "model");
    /**
     * docs/experiments.md, "Warmup decides when the plateau ends" (12 layers, hidden 128, post-norm, from scratch): every run that
     * warmed up for 30-48 steps was still on the unigram plateau hundreds of steps later; every one with 90 had left it.
     */
    static final long POST_NORM_WARMUP = 90;

    /**
     * Every knob of a pretraining run: the shared {@link TrainingOptions} and the masked-LM ones; null means "not
     * given" where a default is derived. Built with {@link #builder()}, which starts from the command's defaults.
     */
    public record Options(TrainingOptions training, List<Path> corpus, Path shards, boolean verifyShards, Path vocab,
                          Path config, Path initFrom, Path out, int maxSeqLen, boolean headTransform,
                          boolean wholeWordMask, double evalFraction, int maxPredictionsPerSeq, double shortSeqProb,
                          boolean documentPerLine, boolean skipBadLines, Boolean lowercase, double mlmProbability) {
        public static Builder builder() {
            return new Builder();
        }

        /** What decides the instances and the held-out split. */
        InstanceSettings instanceSettings(boolean lowercase) {
            return new InstanceSettings(maxSeqLen, shortSeqProb, wholeWordMask, documentPerLine, skipBadLines,
                    lowercase, training.seed(), evalFraction);
        }
    }

    /** {@code minibert pretrain}'s options one by one, its defaults where unset. */
    public static final class Builder extends TrainingOptions.Builder<Builder> {
        private List<Path> corpus;
        private Path shards;
        private boolean verifyShards;
        private Path vocab;
        private Path config;
        private Path initFrom;
        private Path out;
        private int maxSeqLen = 128;
        private boolean headTransform = true;
        private boolean wholeWordMask;
        private double evalFraction = 0.02;
        private int maxPredictionsPerSeq = 20;
        private double shortSeqProb = 0.1;
        private boolean documentPerLine;
        private boolean skipBadLines;
        private Boolean lowercase;
        private double mlmProbability = 0.15;

        private Builder() {
            batchSize(32).learningRate(1e-4).saveEvery(500).keepCheckpoints(3);
        }

        public Builder corpus(List<Path> corpus) {
            this.corpus = corpus == null ? null : List.copyOf(corpus);
            return this;
        }

        public Builder shards(Path shards) {
            this.shards = shards;
            return this;
        }

        public Builder verifyShards(boolean verifyShards) {
            this.verifyShards = verifyShards;
            return this;
        }

        public Builder vocab(Path vocab) {
            this.vocab = vocab;
            return this;
        }

        public Builder config(Path config) {
            this.config = config;
            return this;
        }

        public Builder initFrom(Path initFrom) {
            this.initFrom = initFrom;
            return this;
        }

        public Builder out(Path out) {
            this.out = out;
            return this;
        }

        public Builder maxSeqLen(int maxSeqLen) {
            this.maxSeqLen = maxSeqLen;
            return this;
        }

        public Builder headTransform(boolean headTransform) {
            this.headTransform = headTransform;
            return this;
        }

        public Builder wholeWordMask(boolean wholeWordMask) {
            this.wholeWordMask = wholeWordMask;
            return this;
        }

        public Builder evalFraction(double evalFraction) {
            this.evalFraction = evalFraction;
            return this;
        }

        public Builder maxPredictionsPerSeq(int maxPredictionsPerSeq) {
            this.maxPredictionsPerSeq = maxPredictionsPerSeq;
            return this;
        }

        public Builder shortSeqProb(double shortSeqProb) {
            this.shortSeqProb = shortSeqProb;
            return this;
        }

        public Builder documentPerLine(boolean documentPerLine) {
            this.documentPerLine = documentPerLine;
            return this;
        }

        public Builder skipBadLines(boolean skipBadLines) {
            this.skipBadLines = skipBadLines;
            return this;
        }

        public Builder lowercase(Boolean lowercase) {
            this.lowercase = lowercase;
            return this;
        }

        public Builder mlmProbability(double mlmProbability) {
            this.mlmProbability = mlmProbability;
            return this;
        }

        public Options build() {
            return new Options(training(), corpus, shards, verifyShards, vocab, config, initFrom, out, maxSeqLen,
                    headTransform, wholeWordMask, evalFraction, maxPredictionsPerSeq, shortSeqProb, documentPerLine,
                    skipBadLines, lowercase, mlmProbability);
        }
    }

    /**
     * Workers in other processes that run each step's micro-batches (module distributed: Spark executors), each
     * {@code --gradient-accumulation} of them, so a step holds {@code count()} times as many.
     */
    public interface GradientWorkers {
        int count();

        /** The loop's step gradient: {@code store}'s parameters go out, the workers' summed gradients come back. */
        StepGradient open(ParameterStore store, MlmWorkload workload) throws IOException;
    }

    private Pretraining() {
    }

    public static TrainingLoop.Result run(Options o, Consumer<Map<String, Object>> listener) throws IOException {
        return run(o, null, listener);
    }

    /** With {@code o.resume()}, continues from {@code checkpoint} (a checkpoint-N folder), or the newest intact one if null. */
    public static TrainingLoop.Result run(Options o, Path checkpoint, Consumer<Map<String, Object>> listener)
            throws IOException {
        return run(o, checkpoint, listener, null);
    }

    /** As {@link #run(Options, Path, Consumer)}, each step's micro-batches run by {@code workers} (null: here). */
    public static TrainingLoop.Result run(Options o, Path checkpoint, Consumer<Map<String, Object>> listener,
                                          GradientWorkers workers) throws IOException {
        // model definition: an existing directory to continue from, or a config + vocab
        BertConfig config;
        Vocab vocab;
        boolean lower;
        ModelDirectory init = null;
        if (o.initFrom() != null) {
            init = ModelDirectory.open(o.initFrom());
            config = init.config();
            vocab = o.vocab() == null ? init.vocab() : Vocab.read(o.vocab());
            lower = o.lowercase() == null ? init.doLowerCase() : o.lowercase();
        } else {
            if (o.config() == null || o.vocab() == null) {
                throw new IllegalArgumentException("give --config and --vocab, or --init-from DIR");
            }
            config = BertConfig.read(o.config());
            vocab = Vocab.read(o.vocab());
            lower = o.lowercase() == null || o.lowercase();
        }
        if (vocab.size() != config.vocabSize) {
            throw new IllegalArgumentException("vocabulary has " + vocab.size() + " tokens but the config says vocab_size "
                    + config.vocabSize + (o.vocab() != null ? " (" + o.vocab() + ")" : ""));
        }
        if (o.maxSeqLen() > config.maxPositionEmbeddings) {
            throw new IllegalArgumentException("--max-seq-len " + o.maxSeqLen() + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings);
        }
        if (!(o.mlmProbability() > 0 && o.mlmProbability() < 1)) {
            throw new IllegalArgumentException("--mlm-probability must be in (0, 1), got " + o.mlmProbability());
        }
        Double decayRatio = o.training().decayRatio();
        if (decayRatio != null && !(decayRatio >= 0 && decayRatio <= 1)) {
            throw new IllegalArgumentException("--decay-ratio must be in [0, 1], got " + decayRatio);
        }
        if ((o.shards() == null) == (o.corpus() == null)) {
            throw new IllegalArgumentException("give --corpus or --shards (one of them)");
        }
        if (workers != null && o.shards() == null) {
            throw new IllegalArgumentException("workers read the training data from shards: give --shards (minibert shard)");
        }
        // shards are checked before the run folder exists: a refusal writes nothing
        ShardFolder shards = o.shards() == null ? null : ShardFolder.open(o.shards(), o.verifyShards());
        if (shards != null) {
            shards.requireMatches(vocab, o.vocab(), o.instanceSettings(lower));
        }
        try (RunLock lock = OutputFolder.openRun(o.out(), KIND, FILES, o.training().start())) {
            return train(o, checkpoint, config, vocab, lower, init, shards, listener, workers);
        }
    }

    /** The run itself, while this process holds the run folder's lock. */
    private static TrainingLoop.Result train(Options o, Path checkpoint, BertConfig config, Vocab vocab, boolean lower,
            ModelDirectory init, ShardFolder shards, Consumer<Map<String, Object>> listener, GradientWorkers workers)
            throws IOException {
        List<Instance> train;
        List<Instance> heldOut;
        List<Path> corpusFiles = null;
        if (shards != null) {
            train = shards.train();
            heldOut = shards.heldOut();
        } else {
            List<Instance> inMemory = new ArrayList<>();
            List<Instance> heldOutInMemory = new ArrayList<>();
            CorpusInstances corpus = new CorpusInstances(o.corpus(), o.instanceSettings(lower), vocab);
            corpus.stream((instance, held) -> (held ? heldOutInMemory : inMemory).add(instance));
            corpusFiles = corpus.files();
            train = inMemory;
            heldOut = heldOutInMemory;
        }
        LOG.info("{} training and {} held-out instances of at most {} tokens", train.size(), heldOut.size(), o.maxSeqLen());

        // with workers, each runs --gradient-accumulation micro-batches of every step
        TrainingOptions t = workers == null ? o.training() : o.training().acrossWorkers(workers.count());
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForMaskedLM model = new BertForMaskedLM(config, store, o.headTransform());
        if (init != null) {
            PretrainedWeights.load(init, store, name -> name.startsWith("cls."), t.seed());
        } else {
            Initializer.initialize(store, config.initializerRange, t.seed());
        }
        MaskingCollator collator = new MaskingCollator(vocab, o.mlmProbability(), o.maxPredictionsPerSeq(), o.wholeWordMask());
        MlmEvaluator evaluator = heldOut.isEmpty() ? null
                : new MlmEvaluator(heldOut, collator, t.batchSize(), SeedPurpose.HELD_OUT_MASKING.seed(t.seed()));
        long total = t.totalSteps(train.size());
        String warning = warmupWarning(config, init == null, t.warmupSteps(total), total);
        if (warning != null) {
            LOG.warn(warning);
        }
        MlmTrainingTask task = new MlmTrainingTask(config, vocab, lower, store, model, train, collator, evaluator,
                t.microBatches(train.size()));
        if (t.overwrite()) {
            OutputFolder.clear(o.out(), KIND); // only now, the inputs read: a refused run has deleted nothing
        }
        TrainingLoop loop = t.loop(task, t.optimizer(), train.size(), o.out()).onMetrics(listener)
                .fingerprint(fingerprint(o, corpusFiles, shards, vocab, config, lower, train.size(), workers));
        if (workers != null) {
            loop.stepGradient(workers.open(store, new MlmWorkload(config.toJsonString(), o.headTransform(),
                    vocab.tokens(), lower, o.shards().toAbsolutePath().toString(), shards.manifestSha256(),
                    o.mlmProbability(), o.maxPredictionsPerSeq(), o.wholeWordMask(), t)));
        }
        TrainingLoop.Result result = loop.run(t.resume(), checkpoint);
        ModelDirectory.save(o.out().resolve("model"), config, vocab, lower, store, Map.of());
        return result;
    }

    /** Every option that changes which batches, masks and updates the steps see; the step count may grow. */
    private static Fingerprint fingerprint(Options o, List<Path> corpusFiles, ShardFolder shards, Vocab vocab,
                                           BertConfig config, boolean lower, int sequences, GradientWorkers workers)
            throws IOException {
        TrainingOptions t = o.training();
        Fingerprint data = shards == null ? new Fingerprint().files("--corpus", corpusFiles)
                : new Fingerprint().put("--shards", "manifest sha256 " + shards.manifestSha256());
        if (workers != null) {
            // the order in which the workers' shares are summed: resumed with other workers, a run rounds differently
            data.put("--workers", workers.count());
        }
        return data
                .put("training sequences", sequences)
                .folder("--init-from", o.initFrom())
                .put("--vocab", "sha256 " + ShardFolder.vocabSha256(vocab))
                .put("--config", config.toJsonString().strip())
                .put("--lowercase", lower)
                .put("--seed", t.seed())
                .put("--batch-size", t.batchSize())
                .put("--gradient-accumulation", t.accumulation())
                .put("--max-seq-len", o.maxSeqLen())
                .put("--learning-rate", t.learningRate())
                .put("--warmup-steps", t.warmupSteps())
                .put("--warmup-ratio", t.warmupRatio())
                .put("--decay-ratio", t.decayRatio())
                .put("--weight-decay", t.weightDecay())
                .put("--adam-epsilon", t.adamEpsilon())
                .put("--max-grad-norm", t.maxGradNorm())
                .put("--no-head-transform", !o.headTransform())
                .put("--mlm-probability", o.mlmProbability())
                .put("--whole-word-mask", o.wholeWordMask())
                .put("--max-predictions-per-seq", o.maxPredictionsPerSeq())
                .put("--short-seq-prob", o.shortSeqProb())
                .put("--eval-fraction", o.evalFraction())
                .put("--document-per-line", o.documentPerLine())
                .put("--skip-bad-lines", o.skipBadLines());
    }

    /**
     * A warning when a post-norm model trained from scratch gets less warmup than the measured runs that left the
     * unigram plateau, and the run is long enough to have given it; null otherwise.
     */
    static String warmupWarning(BertConfig config, boolean fromScratch, long warmup, long total) {
        if (!fromScratch || config.normStyle != BertConfig.NormStyle.POST || warmup >= POST_NORM_WARMUP
                || total <= POST_NORM_WARMUP) {
            return null;
        }
        return "warmup of " + warmup + " steps for a post-norm model from scratch: measured runs that warmed up for "
                + "fewer than " + POST_NORM_WARMUP + " steps stayed on the unigram plateau (docs/experiments.md, \"Warmup decides "
                + "when the plateau ends\"); give --warmup-steps " + POST_NORM_WARMUP + " or more";
    }
}
