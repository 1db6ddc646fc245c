package dev.minibert.bench.kernels;

import dev.minibert.model.Embedding;
import dev.minibert.model.ParameterStore;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The word-embedding gradient of one pretraining step at V8000 H128 B32 T128: N = 4096 rows of dy scatter-added into
 * the [V,H] gradient by {@link Embedding#backward} (a Java pass over NIO views), float32, against the pre-issue-8
 * implementation (ND4J's single-threaded scatter_add op on an INT copy of the ids) as baseline. The ids repeat
 * (4096 draws of 8000), as real token ids do.
 * Run: {@code java -cp bench/target/classes:$(cat cp) org.openjdk.jmh.Main EmbeddingBackwardBench}.
 */
@State(Scope.Thread)
@Fork(1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EmbeddingBackwardBench {
    private static final int V = 8000;
    private static final int H = 128;
    private static final int N = 4096;
    private static final long SEED = 8;

    private Embedding embedding;
    private INDArray grad;    // [V,H], the baseline's gradient
    private INDArray ids;     // [N] INT, the baseline's index copy
    private INDArray dy;      // [N,H]

    @Setup
    public void setUp() {
        embedding = new Embedding(new ParameterStore(DataType.FLOAT), "word_embeddings", V, H);
        int[] tokenIds = new SplittableRandom(SEED).ints(N, 0, V).toArray();
        embedding.forward(tokenIds); // keeps the ids for backward
        grad = Nd4j.zeros(DataType.FLOAT, V, H);
        ids = Nd4j.createFromArray(tokenIds);
        dy = Nd4j.randn(SEED, new long[] {N, H}).castTo(DataType.FLOAT);
    }

    @Benchmark
    public INDArray backward() {
        embedding.backward(dy);
        return embedding.weight().grad();
    }

    /** Embedding.backward before issue 8. */
    @Benchmark
    public INDArray backwardOld() {
        Nd4j.exec(DynamicCustomOp.builder("scatter_add")
                .addInputs(grad, ids, dy)
                .addOutputs(grad)
                .addBooleanArguments(true, false)
                .build());
        return grad;
    }
}
