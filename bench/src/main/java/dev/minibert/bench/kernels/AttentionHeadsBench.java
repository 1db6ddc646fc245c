package dev.minibert.bench.kernels;

import dev.minibert.model.AttentionHeads;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The attention's head split [N,H] → [B,heads,T,d] and merge back, at the pretraining step's shape (B32 T128 H128,
 * 2 heads of 64), as {@link AttentionHeads}' bulk copies next to the ND4J permute + assign they replaced.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AttentionHeadsBench {
    private static final int BATCH = 32;
    private static final int SEQ = 128;
    private static final int HEADS = 2;
    private static final int HEAD_SIZE = 64;

    private final AttentionHeads layout = new AttentionHeads(BATCH, SEQ, HEADS, HEAD_SIZE);
    private INDArray tokens;
    private INDArray perHead;

    @Setup
    public void setUp() {
        KernelBenchSetup.setUpNd4j();
        tokens = KernelBenchSetup.gaussian(12, BATCH * SEQ, HEADS * HEAD_SIZE);
        perHead = layout.split(tokens, null).dup();
    }

    @Benchmark
    public INDArray split() {
        return layout.split(tokens, perHead);
    }

    @Benchmark
    public INDArray nd4jBaselineSplit() {
        return perHead.assign(tokens.reshape('c', BATCH, SEQ, HEADS, HEAD_SIZE).permute(0, 2, 1, 3));
    }

    @Benchmark
    public INDArray merge() {
        return layout.merge(perHead, tokens);
    }

    @Benchmark
    public INDArray nd4jBaselineMerge() {
        tokens.reshape('c', BATCH, SEQ, HEADS, HEAD_SIZE).assign(perHead.permute(0, 2, 1, 3));
        return tokens;
    }
}
