package dev.minibert.bench.kernels;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BertSelfAttention;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link BertSelfAttention} forward then backward in training (attention dropout 0.1 on), at the pretraining
 * step's shape: B32 T128 H128, 2 heads, no padding.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AttentionBench {
    private static final int BATCH = 32;
    private static final int SEQ = 128;
    private static final int HIDDEN = 128;

    private BertSelfAttention attention;
    private INDArray x;
    private INDArray dContext;
    private INDArray maskBias;

    @Setup
    public void setUp() {
        KernelBenchSetup.setUpNd4j();
        BertConfig config = BertConfig.builder().hiddenSize(HIDDEN).numAttentionHeads(2).intermediateSize(4 * HIDDEN)
                .attentionProbsDropoutProb(0.1).build();
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        attention = new BertSelfAttention(store, "attention.self.", config);
        Initializer.initialize(store, 0.02, 7);
        x = KernelBenchSetup.gaussian(8, BATCH * SEQ, HIDDEN);
        dContext = KernelBenchSetup.gaussian(9, BATCH * SEQ, HIDDEN);
        maskBias = Nd4j.zeros(DataType.FLOAT, BATCH, SEQ);
    }

    @Benchmark
    public INDArray forwardBackward() {
        attention.forward(x, maskBias, true);
        return attention.backward(dContext);
    }
}
