package dev.minibert.model.kernels;

import dev.minibert.model.FlatView;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Float kernels on the JDK's SIMD Vector API (the jdk.incubator.vector module, which the launcher, surefire and the
 * benchmark scripts add), each one pass over memory, split over {@link dev.minibert.model.Parallel}'s threads at
 * boundaries that do not change a result. They replace chains of ND4J element-wise ops, one memory pass each, and
 * scalar loops around {@code Math.exp}; {@code docs/kernels.md} has the measurements. Views are copied first
 * ({@link FlatView#plain}); arrays written in place must be dense.
 */
enum FastKernels implements Kernels {
    INSTANCE;

    static {
        LoopCompilation.directLoops();
    }

    @Override
    public LayerNormKernel layerNorm() {
        return new FastLayerNorm();
    }

    @Override
    public void attentionSoftmax(INDArray scores, INDArray maskBias, double scale) {
        FastAttentionSoftmax.attentionSoftmax(scores, FlatView.plain(maskBias), (float) scale);
    }

    @Override
    public INDArray attentionSoftmaxBackward(INDArray dProbs, INDArray probs, double scale) {
        FastAttentionSoftmax.attentionSoftmaxBackward(dProbs, probs, (float) scale);
        return dProbs;
    }

    @Override
    public void gelu(INDArray x, INDArray out) {
        FastGelu.gelu(FlatView.plain(x), out);
    }

    @Override
    public void geluBackward(INDArray x, INDArray dy, INDArray dx) {
        FastGelu.geluBackward(FlatView.plain(x), FlatView.plain(dy), dx);
    }

    @Override
    public void drawMaskWords(long seed, int threshold, long length, long[] kept, int firstWord, int endWord) {
        FastDropout.drawMaskWords(seed, threshold, length, kept, firstWord, endWord);
    }

    @Override
    public void applyMask(INDArray in, long[] kept, double scale, INDArray out) {
        FastDropout.dropout(FlatView.plain(in), kept, (float) scale, out);
    }

    @Override
    public void applyMaskAdding(INDArray in, long[] kept, double scale, INDArray addend, INDArray out) {
        FastDropout.dropoutAdding(FlatView.plain(in), kept, (float) scale, FlatView.plain(addend), out);
    }

    @Override
    public void sum(INDArray a, INDArray b, INDArray out) {
        FastSum.sum(FlatView.plain(a), FlatView.plain(b), out);
    }

    @Override
    public void addColumnSums(INDArray x, INDArray target) {
        FastColumnSums.addColumnSums(FlatView.plain(x), target);
    }

    @Override
    public void gatherRows(INDArray table, int[] ids, INDArray out) {
        FastRows.gatherRows(table, ids, out);
    }

    @Override
    public void scatterAddRows(INDArray target, int[] ids, INDArray rows) {
        FastRows.scatterAddRows(target, ids, rows);
    }

    @Override
    public void crossEntropy(INDArray logits, int[] labels, INDArray exps, double[] invSums, double[] nll) {
        FastCrossEntropy.crossEntropy(FlatView.plain(logits), labels, exps, invSums, nll);
    }

    @Override
    public void crossEntropyBackward(INDArray exps, double[] invSums, int[] labels, double[] rowScales) {
        FastCrossEntropy.crossEntropyBackward(exps, invSums, labels, rowScales);
    }

    @Override
    public void adamW(INDArray value, INDArray grad, INDArray m, INDArray v, AdamWStep step) {
        float stepSize = (float) (step.lr() / (1 - Math.pow(step.beta1(), step.t())));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(step.beta2(), step.t()));
        FastAdamW.adamW(value, grad, m, v, (float) step.decay(), (float) step.beta1(), (float) step.beta2(), stepSize,
                bc2Sqrt, (float) step.eps());
    }
}
