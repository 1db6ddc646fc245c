package dev.minibert.cli;

import dev.minibert.distributed.SparkWorkers;
import dev.minibert.model.Nd4jSetup;
import dev.minibert.model.train.TrainingLoop;
import dev.minibert.pretrain.Pretraining;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code minibert pretrain}: masked-LM pretraining into an HF-style model directory, crash-safe and resumable. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Masked-LM pretraining of a BERT on a corpus (one sentence per line, blank line between documents) "
                + "or on its shards (minibert shard).")
final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--corpus", arity = "1..*", description = "UTF-8 text files or folders (.gz too) (default: none; give --corpus or --shards)")
    List<Path> corpus;
    @Option(names = "--shards", description = "a folder from minibert shard, read by index instead of --corpus "
            + "(its --max-seq-len, --whole-word-mask, ... must match this run's) (default: none)")
    Path shards;
    @Option(names = "--verify-shards", description = "check every shard file's sha256 before training (reads them "
            + "all; their sizes are always checked)")
    boolean verifyShards;
    @Option(names = "--spark", paramLabel = "MASTER", description = "run each step's micro-batches on Spark executors "
            + "(needs --shards on a path every executor reads): local[N], spark://host:7077, yarn; docs/spark.md "
            + "(default: none, all in this process)")
    String spark;
    @Option(names = "--workers", defaultValue = "2", description = "with --spark: Spark tasks per step, each running "
            + "--gradient-accumulation micro-batches, so a step holds workers x accumulation of them")
    int workers;
    @Option(names = "--vocab", description = "vocab.txt (default with --init-from: the model's)")
    Path vocab;
    @Option(names = "--config", description = "model config.json (HF keys + norm_style) (default with --init-from: the model's)")
    Path config;
    @Option(names = "--init-from", description = "continue pretraining this model directory (default: a fresh init from --config)")
    Path initFrom;
    @Option(names = "--out", required = true, description = "run directory: metrics.jsonl, checkpoints/, model/")
    Path out;
    @Option(names = "--max-steps", description = "optimizer steps (default: --epochs passes over the data); may grow on --resume")
    Long maxSteps;
    @Option(names = "--epochs", defaultValue = "1", description = "passes over the data when --max-steps is not given")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "32", description = "examples per optimizer step (before accumulation)") int batchSize;
    @Option(names = "--gradient-accumulation", defaultValue = "1", description = "micro-batches summed into one optimizer step") int accumulation;
    @Option(names = "--max-seq-len", defaultValue = "128", description = "truncate to this many tokens, [CLS]/[SEP] included") int maxSeqLen;
    @Option(names = "--learning-rate", defaultValue = "1e-4", description = "peak AdamW learning rate") double learningRate;
    @Option(names = "--warmup-steps", description = "linear warmup steps, 0 allowed (default: --warmup-ratio of the steps, else 0)") Long warmupSteps;
    @Option(names = "--warmup-ratio", description = "warmup as a fraction of all steps (default: none; --warmup-steps wins)") Double warmupRatio;
    @Option(names = "--decay-ratio", description = "linear decay to 0 over this last fraction of the steps, the peak "
            + "held before it (HF's warmup-stable-decay; 0 = constant after warmup; default: every step after warmup)")
    Double decayRatio;
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW decoupled weight decay (not on LayerNorm or biases)") double weightDecay;
    @Option(names = "--adam-epsilon", defaultValue = "1e-8", description = "AdamW epsilon") double adamEpsilon;
    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "global-norm clipping (0 = off)") double maxGradNorm;
    @Option(names = "--log-every", defaultValue = "10", description = "append a metrics.jsonl line every N steps") int logEvery;
    @Option(names = "--save-every", defaultValue = "500", description = "checkpoint every N steps (and at the end)") int saveEvery;
    @Option(names = "--keep-checkpoints", defaultValue = "3", description = "how many of the latest checkpoints to keep") int keepCheckpoints;
    @Option(names = "--seed", defaultValue = "42", description = "the one seed every random choice derives from") long seed;
    @Option(names = "--resume", arity = "0..1", paramLabel = "CHECKPOINT", fallbackValue = "",
            description = "continue from the newest intact checkpoint under --out (or from CHECKPOINT, a "
                    + "checkpoint-N folder); a damaged one is reported and an older one used; refused if an option "
                    + "that changes the training trajectory differs (--max-steps may grow); default: a new run")
    String resume;
    @Mixin OverwriteOption overwrite;
    @Spec CommandSpec spec;
    @Option(names = "--no-head-transform", description = "MLM head without Dense+GELU+LayerNorm (ablation)") boolean noHeadTransform;
    @Option(names = "--whole-word-mask", description = "mask whole Chinese words (jieba segmentation)") boolean wholeWordMask;
    @Option(names = "--eval-fraction", defaultValue = "0.02", description = "documents held out for MLM evaluation") double evalFraction;
    @Option(names = "--mlm-probability", defaultValue = "0.15", description = "fraction of tokens chosen for masking, as in BERT") double mlmProbability;
    @Option(names = "--max-predictions-per-seq", defaultValue = "20", description = "at most this many masked positions per sequence") int maxPredictions;
    @Option(names = "--short-seq-prob", defaultValue = "0.1", description = "probability of a shorter target length per instance (BERT's short_seq_prob)") double shortSeqProb;
    @Option(names = "--document-per-line", description = "each line is a whole document") boolean documentPerLine;
    @Option(names = "--skip-bad-lines", description = "skip (and count) lines with invalid UTF-8") boolean skipBadLines;
    @Option(names = "--max-bad-steps", defaultValue = "5", description = "consecutive non-finite steps before giving up") int maxBadSteps;
    @Option(names = "--lowercase", negatable = true, description = "lower-case text (default: true, or the model's setting)") Boolean lowercase;
    @Mixin ThreadsOption threads;
    @Option(names = PretrainRecipe.OPTION, paramLabel = "NAME", description = "quickstart: the measured recipe that "
            + "leaves the unigram plateau (--learning-rate 1e-3 --warmup-steps 90 --decay-ratio 0.2 --batch-size 32 "
            + "--max-seq-len 64); flags and --train-config win (default: none)")
    PretrainRecipe recipe;
    @Option(names = ConfigFileDefaults.OPTION, paramLabel = "FILE",
            description = "JSON object of option defaults, e.g. {\"batch-size\": 32, \"max-seq-len\": 128}; flags win")
    Path trainConfig;

    @Override
    public Integer call() throws Exception {
        if ((corpus == null) == (shards == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --corpus or --shards (one of them)");
        }
        if (spark == null && spec.commandLine().getParseResult().hasMatchedOption("--workers")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workers needs --spark MASTER");
        }
        if (spark != null && shards == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--spark needs --shards (minibert shard): "
                    + "executors read the training instances by index");
        }
        overwrite.requested(out, resume != null, spec.commandLine());
        // the master is reached before anything is written (--overwrite deletes once the corpus is read)
        try (SparkWorkers sparkWorkers = spark == null ? null : new SparkWorkers(spark, workers)) {
            Nd4jSetup.init(threads.count());
            if (recipe != null) {
                System.err.println("pretrain: recipe " + recipe + ": " + recipe.flags() + " (where no flag or "
                        + ConfigFileDefaults.OPTION + " sets them)");
            }
            Pretraining.Options o = options();
            try (TrainingProgress progress = new TrainingProgress("pretrain", maxSteps == null ? 0 : maxSteps, logEvery)) {
                TrainingLoop.Result r = Pretraining.run(o, resume == null || resume.isEmpty() ? null : Path.of(resume),
                        progress, sparkWorkers);
                System.err.printf("pretrained %d steps, last loss %.4f; model in %s%n", r.steps(), r.lastLoss(),
                        out.resolve("model"));
            }
        }
        return 0;
    }

    /** The run these options describe: the same options the library's {@code Pretrain} builds. */
    Pretraining.Options options() {
        return Pretraining.Options.builder().corpus(corpus).shards(shards).verifyShards(verifyShards).vocab(vocab)
                .config(config).initFrom(initFrom).out(out).maxSteps(maxSteps).epochs(epochs).batchSize(batchSize)
                .accumulation(accumulation).maxSeqLen(maxSeqLen).learningRate(learningRate).warmupSteps(warmupSteps)
                .warmupRatio(warmupRatio).decayRatio(decayRatio).weightDecay(weightDecay).adamEpsilon(adamEpsilon)
                .maxGradNorm(maxGradNorm).logEvery(logEvery).saveEvery(saveEvery).keepCheckpoints(keepCheckpoints)
                .seed(seed).resume(resume != null).overwrite(overwrite.overwrite).headTransform(!noHeadTransform).wholeWordMask(wholeWordMask)
                .evalFraction(evalFraction).maxPredictionsPerSeq(maxPredictions).shortSeqProb(shortSeqProb)
                .documentPerLine(documentPerLine).skipBadLines(skipBadLines).maxBadSteps(maxBadSteps)
                .lowercase(lowercase).mlmProbability(mlmProbability).build();
    }
}
