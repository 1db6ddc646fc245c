package dev.minibert.bench.kernels;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Gelu;
import dev.minibert.model.Gemm;
import dev.minibert.model.Initializer;
import dev.minibert.model.LayerNorm;
import dev.minibert.model.Linear;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.SoftmaxCrossEntropy;
import dev.minibert.pretrain.BertLMPredictionHead;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
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
 * The masked-position MLM path of one pretraining step at L12 H128 B32 T128 V8000 scale: 600 masked rows of
 * N = 4096 positions through {@link BertLMPredictionHead} (with its transform) forward and backward, and
 * {@link SoftmaxCrossEntropy} forward and backward on the [600,8000] logits, float32. Each has its pre-issue-8
 * implementation as a baseline method (a per-row ND4J op for the scatter, fresh [N,H] and [M,V] arrays per step,
 * broadcast bias; ND4J ops and getDouble/putScalar per row for the loss), so one run shows the ratio. The head now
 * takes the masked rows [M,H] themselves, which the encoder's last layer computes alone; the old one gathered them
 * from [N,H] and scattered dHidden back into [N,H], work the step no longer does.
 * Run: {@code java -cp bench/target/classes:$(cat cp) org.openjdk.jmh.Main MaskedLogitsBench}.
 */
@State(Scope.Thread)
@Fork(1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MaskedLogitsBench {
    private static final int H = 128;
    private static final int V = 8000;
    private static final int N = 4096;
    private static final int M = 600;
    private static final long SEED = 8;

    private BertLMPredictionHead head;
    private OldHead oldHead;
    private final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
    private final OldCrossEntropy oldLoss = new OldCrossEntropy();
    private INDArray hidden;   // [N,H]
    private INDArray masked;   // hidden's rows at the masked positions [M,H]
    private INDArray dLogits;  // [M,V]
    private INDArray logits;   // [M,V]
    private int[] rows;
    private int[] labels;

    @Setup
    public void setUp() {
        KernelBenchSetup.setUpNd4j();
        BertConfig config = BertConfig.builder().vocabSize(V).hiddenSize(H).numAttentionHeads(2).intermediateSize(4 * H)
                .build();
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        head = new BertLMPredictionHead(config, store, store.add("bert.embeddings.word_embeddings.weight", V, H), true);
        Initializer.initialize(store, config.initializerRange, SEED);
        ParameterStore oldStore = new ParameterStore(DataType.FLOAT);
        oldHead = new OldHead(config, oldStore, oldStore.add("bert.embeddings.word_embeddings.weight", V, H));
        Initializer.initialize(oldStore, config.initializerRange, SEED);
        hidden = Nd4j.randn(SEED, new long[] {N, H}).castTo(DataType.FLOAT);
        dLogits = Nd4j.randn(SEED + 1, new long[] {M, V}).castTo(DataType.FLOAT).muli(1e-4);
        logits = Nd4j.randn(SEED + 2, new long[] {M, V}).castTo(DataType.FLOAT).muli(3);
        SplittableRandom rng = new SplittableRandom(SEED);
        rows = rng.ints(0, N).distinct().limit(M).sorted().toArray();
        labels = rng.ints(M, 0, V).toArray();
        masked = Nd4j.pullRows(hidden, 1, rows);
    }

    @Benchmark
    public INDArray headForwardBackward() {
        head.forward(masked, true);
        return head.backward(dLogits);
    }

    @Benchmark
    public INDArray headForwardBackwardOld() {
        oldHead.forward(hidden, rows);
        return oldHead.backward(dLogits);
    }

    @Benchmark
    public INDArray lossForwardBackward() {
        loss.forward(logits, labels);
        return loss.backward(1.0);
    }

    @Benchmark
    public INDArray lossForwardBackwardOld() {
        oldLoss.forward(logits, labels);
        return oldLoss.backward(1.0);
    }

    /**
     * BertLMPredictionHead as it was before issue 8, verbatim but for the constructor and its three products, which
     * go through {@link Gemm} as the new head's do: with OpenBLAS's pool at one thread, ND4J's gemm would run them on
     * one core, and the comparison is of everything around the products.
     */
    static final class OldHead {
        private final Parameter wordEmbeddings;
        private final Parameter bias;
        private final Linear dense;
        private final Gelu gelu;
        private final LayerNorm layerNorm;
        private INDArray transformed;
        private int[] rows;
        private long hiddenRows;

        OldHead(BertConfig config, ParameterStore store, Parameter wordEmbeddings) {
            this.wordEmbeddings = wordEmbeddings;
            dense = new Linear(store, "cls.predictions.transform.dense", H, H);
            gelu = new Gelu(store.kernels());
            layerNorm = new LayerNorm(store, "cls.predictions.transform.LayerNorm", H, config.layerNormEps);
            bias = store.add("cls.predictions.bias", V);
        }

        INDArray forward(INDArray hidden, int[] maskedRows) {
            rows = maskedRows.clone();
            hiddenRows = hidden.rows();
            INDArray h = Nd4j.pullRows(hidden, 1, rows);
            transformed = layerNorm.forward(gelu.forward(dense.forward(h)));
            INDArray logits = Nd4j.createUninitialized(hidden.dataType(), rows.length, wordEmbeddings.shape()[0]);
            Gemm.gemm(transformed, wordEmbeddings.value(), logits, false, true, 1.0, 0.0);
            return logits.addiRowVector(bias.value());
        }

        INDArray backward(INDArray dLogits) {
            Gemm.gemm(dLogits, transformed, wordEmbeddings.grad(), true, false, 1.0, 1.0);
            bias.grad().addi(dLogits.sum(0));
            INDArray dh = Nd4j.createUninitialized(dLogits.dataType(), rows.length, transformed.columns());
            Gemm.gemm(dLogits, wordEmbeddings.value(), dh, false, false, 1.0, 0.0);
            dh = dense.backward(gelu.backward(layerNorm.backward(dh)));
            INDArray dHidden = Nd4j.zeros(dLogits.dataType(), hiddenRows, transformed.columns());
            for (int i = 0; i < rows.length; i++) {
                dHidden.getRow(rows[i]).addi(dh.getRow(i));
            }
            return dHidden;
        }
    }

    /** SoftmaxCrossEntropy (unweighted) as it was before issue 8. */
    static final class OldCrossEntropy {
        private INDArray probs;
        private int[] labels;

        double forward(INDArray logits, int[] labels) {
            long n = logits.rows();
            if (probs == null || !probs.equalShapes(logits) || probs.dataType() != logits.dataType()) {
                probs = Nd4j.createUninitialized(logits.dataType(), logits.shape());
            }
            probs.assign(logits);
            probs.subiColumnVector(probs.max(1).reshape(n, 1));
            double[] shiftedTarget = new double[(int) n];
            for (int i = 0; i < n; i++) {
                shiftedTarget[i] = probs.getDouble(i, labels[i]);
            }
            Transforms.exp(probs, false);
            INDArray sums = probs.sum(1).reshape(n, 1);
            probs.diviColumnVector(sums);
            double loss = 0;
            for (int i = 0; i < n; i++) {
                loss += Math.log(sums.getDouble(i, 0)) - shiftedTarget[i];
            }
            this.labels = labels.clone();
            return loss / n;
        }

        INDArray backward(double scale) {
            INDArray d = probs;
            for (int i = 0; i < labels.length; i++) {
                d.putScalar(i, labels[i], d.getDouble(i, labels[i]) - 1);
            }
            d.muli(scale / labels.length);
            probs = null;
            return d;
        }
    }
}
