package dev.minibert.cli;

import dev.minibert.finetune.ClassificationBench;
import dev.minibert.model.BertConfig;
import dev.minibert.model.Nd4jSetup;
import dev.minibert.model.bench.GemmBench;
import dev.minibert.pretrain.MlmBench;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Benchmarks that print one JSON line last on stdout, with the PyTorch peer's field names. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks printing one JSON line (fields as scripts/peer/bench_torch.py).",
        subcommands = {BenchCommand.Pretrain.class, BenchCommand.Finetune.class, BenchCommand.Infer.class,
                BenchCommand.Predict.class,
                BenchCommand.Gemm.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a benchmark: " + spec.subcommands().keySet());
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = "Float gemm GFLOP/s on square matrices: ND4J with OpenBLAS's own threads (the ceiling), ND4J"
                    + " mmul, and the products split over the threads as the model computes them; then one thread's"
                    + " piece of the model's products with each sgemm library (oneDNN, OpenBLAS), alternated.")
    static final class Gemm implements Callable<Integer> {
        @Option(names = "--sizes", split = ",", defaultValue = "1024,2048", description = "matrix sizes")
        int[] sizes;

        @Option(names = "--pieces", split = ",", defaultValue = "2048x384x128:NT,2048x128x128:NT,2048x512x128:NT,"
                + "2048x128x512:NT,128x128x64:NT,128x64x128:NN,2048x128x384:NN,192x128x4096:TN,307x8000x128:NT",
                description = "single-threaded pieces MxNxK:TT (A, B transposed or not); the default ones are the"
                        + " default model's products (B32 T128 H128 A2 I512 V8000) as two threads cut them: Q/K/V,"
                        + " output, intermediate and FFN-out projections, QKᵀ and P·V per head, an input and a weight"
                        + " gradient, the MLM head's logits")
        List<String> pieces;

        @Option(names = "--steps", defaultValue = "10", description = "timed repetitions per size (rounds per piece)")
        int steps;

        @Mixin ThreadsOption threads;

        @Override
        public Integer call() {
            Nd4jSetup.init(threads.count());
            System.out.println(GemmBench.run(sizes, pieces, steps));
            return 0;
        }
    }

    /**
     * The peer's shape flags with bench_torch.py's defaults, under the names the other commands give these concepts
     * (the peers take them too): the untimed steps are not called warmup, which means the learning rate's elsewhere,
     * nor the vocabulary's size --vocab, which names a vocab.txt elsewhere.
     */
    static final class Shape {
        @Option(names = "--layers", defaultValue = "12", description = "encoder layers") int layers;
        @Option(names = "--hidden", defaultValue = "128", description = "hidden size") int hidden;
        @Option(names = "--heads", defaultValue = "2", description = "attention heads") int heads;
        @Option(names = "--intermediate", defaultValue = "512", description = "feed-forward size") int intermediate;
        @Option(names = "--vocab-size", defaultValue = "8000", description = "vocabulary size (token ids drawn from it)") int vocabSize;
        @Option(names = "--max-seq-len", defaultValue = "128", description = "tokens per sequence (every sequence this long)") int maxSeqLen;
        @Option(names = "--batch-size", defaultValue = "32", description = "sequences per step") int batchSize;
        @Option(names = "--steps", defaultValue = "10", description = "timed steps") int steps;
        @Option(names = "--untimed-steps", defaultValue = "2", description = "steps run first and not timed (the JIT's warm-up)") int untimedSteps;
        @Mixin ThreadsOption threads;
        @Option(names = "--seed", defaultValue = "0", description = "seed of the weights and batches") long seed;
        @Option(names = "--norm-style", defaultValue = "post", description = "post | pre (LayerNorm after or before each sublayer)") String normStyle;

        BertConfig config() {
            return BertConfig.builder().vocabSize(vocabSize).hiddenSize(hidden).numHiddenLayers(layers)
                    .numAttentionHeads(heads).intermediateSize(intermediate).maxPositionEmbeddings(Math.max(512, maxSeqLen))
                    .normStyle(BertConfig.NormStyle.valueOf(normStyle.toUpperCase())).build();
        }
    }

    /** A model workload: set up threads and the BLAS check, run, print the JSON line. */
    abstract static class ModelWorkload implements Callable<Integer> {
        @picocli.CommandLine.Mixin Shape shape;

        abstract String run(BertConfig config, Shape s);

        @Override
        public Integer call() {
            Nd4jSetup.init(shape.threads.count());
            System.out.println(run(shape.config(), shape));
            return 0;
        }
    }

    @Command(name = "pretrain", mixinStandardHelpOptions = true,
            description = "Masked-LM training step (encoder + MLM head, AdamW), like bench_torch.py --task mlm.")
    static final class Pretrain extends ModelWorkload {
        @Override
        String run(BertConfig config, Shape s) {
            return MlmBench.run(config, s.batchSize, s.maxSeqLen, s.steps, s.untimedSteps, s.threads.count(), s.seed);
        }
    }

    @Command(name = "finetune", mixinStandardHelpOptions = true,
            description = "Classification training step (encoder + pooler + classifier, AdamW), like --task cls.")
    static final class Finetune extends ModelWorkload {
        @Override
        String run(BertConfig config, Shape s) {
            return ClassificationBench.run("cls", config, s.batchSize, s.maxSeqLen, s.steps, s.untimedSteps, s.threads.count(), s.seed);
        }
    }

    @Command(name = "infer", mixinStandardHelpOptions = true,
            description = "Forward pass of encoder + pooler + classifier without gradients, like --task infer.")
    static final class Infer extends ModelWorkload {
        @Override
        String run(BertConfig config, Shape s) {
            return ClassificationBench.run("infer", config, s.batchSize, s.maxSeqLen, s.steps, s.untimedSteps, s.threads.count(), s.seed);
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true,
            description = "The logits alone, as `minibert predict` computes them (the last layer for [CLS] only); "
                    + "infer also computes every last hidden state, as the peers' inference returns it.")
    static final class Predict extends ModelWorkload {
        @Override
        String run(BertConfig config, Shape s) {
            return ClassificationBench.run("predict", config, s.batchSize, s.maxSeqLen, s.steps, s.untimedSteps, s.threads.count(), s.seed);
        }
    }
}
