package dev.minibert.cli;

import dev.minibert.finetune.Finetuning;
import dev.minibert.model.Nd4jSetup;
import dev.minibert.model.train.TrainingLoop;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code minibert finetune}: sequence classification on a pretrained model directory. */
@Command(name = "finetune", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Finetune a model directory for text classification (CSV, TSV or JSONL; single or pair).")
final class FinetuneCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "pretrained model directory") Path model;
    @Option(names = "--train", required = true, description = "training data (.csv, .tsv, .jsonl)") Path train;
    @Option(names = "--dev", description = "dev data: evaluated each epoch, best model kept (default: none; the last model is kept)") Path dev;
    @Option(names = "--out", required = true, description = "output model directory (training/ holds metrics and checkpoints)") Path out;
    @Option(names = "--epochs", defaultValue = "3", description = "passes over the training data (may grow on --resume)") int epochs;
    @Option(names = "--batch-size", defaultValue = "16", description = "examples per optimizer step (before accumulation)") int batchSize;
    @Option(names = "--gradient-accumulation", defaultValue = "1", description = "micro-batches summed into one optimizer step") int accumulation;
    @Option(names = "--max-seq-len", defaultValue = "128", description = "truncate to this many tokens, [CLS]/[SEP] included") int maxSeqLen;
    @Option(names = "--learning-rate", defaultValue = "5e-5", description = "peak AdamW learning rate") double learningRate;
    @Option(names = "--warmup-ratio", defaultValue = "0.1", description = "fraction of the steps spent warming the learning rate up from 0") Double warmupRatio;
    @Option(names = "--warmup-steps", description = "linear warmup steps; overrides --warmup-ratio (default: none)") Long warmupSteps;
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW decoupled weight decay (not on LayerNorm or biases)") double weightDecay;
    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "clip the global gradient L2 norm to this") double maxGradNorm;
    @Option(names = "--log-every", defaultValue = "10", description = "append a metrics.jsonl line every N steps") int logEvery;
    @Option(names = "--seed", defaultValue = "42", description = "the one seed every random choice derives from") long seed;
    @Option(names = "--resume", arity = "0..1", paramLabel = "CHECKPOINT", fallbackValue = "",
            description = "continue from the newest intact checkpoint under --out/training (or from CHECKPOINT, a "
                    + "checkpoint-N folder); a damaged one is reported and an older one used; refused if an option "
                    + "that changes the training trajectory differs (--epochs may grow); default: a new run")
    String resume;
    @Mixin OverwriteOption overwrite;
    @Spec CommandSpec spec;
    @Option(names = "--text-column", description = "column (or JSONL key) of the text (default: text, or text_a for pairs)") String textColumn;
    @Option(names = "--text-pair-column", description = "column of the second text, for sentence pairs (default: none)") String textPairColumn;
    @Option(names = "--label-column", defaultValue = "label", description = "column (or JSONL key) of the label") String labelColumn;
    @Option(names = "--metric", defaultValue = "macro_f1", description = "accuracy | macro_f1: keeps the best dev model") String metric;
    @Option(names = "--patience", defaultValue = "0", description = "stop after N epochs without dev improvement (0 = never)") int patience;
    @Option(names = "--class-weights", description = "weight the loss by inverse label frequency") boolean classWeights;
    @Option(names = "--freeze-layers", defaultValue = "0", description = "freeze the embeddings and the first K layers") int freezeLayers;
    @Option(names = "--layerwise-lr-decay", defaultValue = "1.0", description = "layer i of L trains at lr·decay^(L−i)") double layerwiseLrDecay;
    @Option(names = "--skip-bad-rows", description = "skip (and count) malformed rows instead of failing") boolean skipBadRows;
    @Option(names = "--group-by-length", description = "batch rows of similar length together (HF's group_by_length): "
            + "less padding, faster steps") boolean groupByLength;
    @Option(names = "--max-bad-steps", defaultValue = "5", description = "stop after this many consecutive non-finite losses") int maxBadSteps;
    @Mixin ThreadsOption threads;
    @Option(names = ConfigFileDefaults.OPTION, paramLabel = "FILE",
            description = "JSON object of option defaults, e.g. {\"batch-size\": 32, \"max-seq-len\": 128}; flags win")
    Path trainConfig;

    @Override
    public Integer call() throws Exception {
        overwrite.requested(out, resume != null, spec.commandLine()); // the run clears once its inputs are read
        Nd4jSetup.init(threads.count());
        Finetuning.Options o = options();
        try (TrainingProgress progress = new TrainingProgress("finetune", 0, logEvery)) {
            TrainingLoop.Result r = Finetuning.run(o, resume == null || resume.isEmpty() ? null : Path.of(resume), progress);
            System.err.printf("finetuned %d steps%s; model in %s%n", r.steps(),
                    r.stoppedEarly() ? " (stopped early)" : "", out);
        }
        return 0;
    }

    /** The run these options describe: the same options the library's {@code Finetune} builds. */
    Finetuning.Options options() {
        return Finetuning.Options.builder().model(model).train(train).dev(dev).out(out).textColumn(textColumn)
                .textPairColumn(textPairColumn).labelColumn(labelColumn).epochs(epochs).batchSize(batchSize)
                .accumulation(accumulation).maxSeqLen(maxSeqLen).learningRate(learningRate).warmupRatio(warmupRatio)
                .warmupSteps(warmupSteps).weightDecay(weightDecay).maxGradNorm(maxGradNorm).logEvery(logEvery)
                .seed(seed).resume(resume != null).overwrite(overwrite.overwrite).bestMetric(metric).patience(patience).classWeights(classWeights)
                .freezeLayers(freezeLayers).layerwiseLrDecay(layerwiseLrDecay).skipBadRows(skipBadRows)
                .maxBadSteps(maxBadSteps).groupByLength(groupByLength).build();
    }
}
