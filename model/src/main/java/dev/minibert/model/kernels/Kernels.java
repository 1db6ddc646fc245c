package dev.minibert.model.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The element-wise and row-wise math the layers delegate, one method group per component, in two backends chosen
 * once per model ({@link dev.minibert.model.ParameterStore#kernels()}): {@link ReferenceKernels}, plain loops that
 * read as the formulas, for any float or double array (the gradient checks run it), and {@link FastKernels}, the
 * Vector API on floats split over {@link dev.minibert.model.Parallel}'s threads. Tests hold the fast backend to the
 * reference. Shapes follow the legend in {@code dev.minibert.model}'s package-info.
 */
public interface Kernels {
    /** The fast backend for float models where the vector module is resolved and ND4J runs on the CPU. */
    static Kernels forType(DataType type) {
        return type == DataType.FLOAT && fastAvailable() ? fast() : reference();
    }

    static Kernels reference() {
        return ReferenceKernels.INSTANCE;
    }

    /** Only where {@link #fastAvailable()}: java needs {@code --add-modules jdk.incubator.vector}. */
    static Kernels fast() {
        if (!fastAvailable()) {
            throw new IllegalStateException("the fast kernels need the jdk.incubator.vector module and ND4J's CPU "
                    + "backend");
        }
        return FastKernels.INSTANCE;
    }

    /** Asked without loading any vector class. */
    static boolean fastAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && Nd4j.getEnvironment().isCPU();
    }

    /** A LayerNorm's row math, with whatever work memory it keeps between calls. */
    LayerNormKernel layerNorm();

    /** In place on scores [B,A,T,T]: each row becomes softmax(row·scale + maskBias[b]), maskBias [B,T] additive. */
    void attentionSoftmax(INDArray scores, INDArray maskBias, double scale);

    /**
     * In place on dProbs [B,A,T,T], given probs: dScores = scale · probs ⊙ (dProbs − Σ_j dProbs·probs) per row, the
     * inverse of {@link #attentionSoftmax}. Returns dProbs, now dScores.
     */
    INDArray attentionSoftmaxBackward(INDArray dProbs, INDArray probs, double scale);

    /** out = x·Φ(x), GELU's erf form; x and out of one shape, out may be x itself (noGrad's memory plan). */
    void gelu(INDArray x, INDArray out);

    /** dx = dy · (Φ(x) + x·φ(x)), the derivative of {@link #gelu} at the forward's x. */
    void geluBackward(INDArray x, INDArray dy, INDArray dx);

    /**
     * Dropout's keep bits for words [firstWord, endWord) of kept, drawn in order from
     * {@code new SplittableRandom(seed)}: each nextLong gives two 24-bit uniforms u (bits 63..40 for element 2k of a
     * word, bits 31..8 for element 2k+1), and an element is kept when u ≥ threshold. Elements past length get 0 bits.
     */
    void drawMaskWords(long seed, int threshold, long length, long[] kept, int firstWord, int endWord);

    /** out = in · (bit i of kept ? scale : 0), element i in row-major order: dropout's mask, forward or backward. */
    void applyMask(INDArray in, long[] kept, double scale, INDArray out);

    /**
     * out = in · (bit i of kept ? scale : 0) + addend: dropout's mask and a residual sum in one pass, the same bits as
     * {@link #applyMask} followed by {@link #sum}.
     */
    void applyMaskAdding(INDArray in, long[] kept, double scale, INDArray addend, INDArray out);

    /** out = a + b element by element, all of one shape (a residual sum and its gradient); out may be a or b. */
    void sum(INDArray a, INDArray b, INDArray out);

    /** target [W] += Σ_rows x for x [N,W]: a bias gradient. target is dense and written in place. */
    void addColumnSums(INDArray x, INDArray target);

    /** out [N,D]: row n is table [R,D]'s row ids[n], an embedding lookup. out is dense and overwritten. */
    void gatherRows(INDArray table, int[] ids, INDArray out);

    /**
     * target [R,D]: row ids[n] += rows [N,D]'s row n for n = 0, 1, ... in order (repeated ids add up), the backward of
     * {@link #gatherRows}; each sum in double, stored in target's type. target is dense row-major and written in place.
     */
    void scatterAddRows(INDArray target, int[] ids, INDArray rows);

    /**
     * Softmax cross-entropy over the rows of logits [M,C] (M rows of C classes) against labels [M], the row max
     * shifted out (the reference in double; the fast backend's exps and their sum in float, invSums and nll in double
     * from that sum):
     * <pre>
     *   exps[c] = exp(x[c] − max),  invSums = 1 / Σ_c exps[c],  nll = log Σ_c exps[c] − (x[label] − max)
     * </pre>
     * exps [M,C] (dense) is written, invSums and nll [M] are filled.
     */
    void crossEntropy(INDArray logits, int[] labels, INDArray exps, double[] invSums, double[] nll);

    /**
     * {@link #crossEntropy}'s gradient, in place on its exps [M,C]: row i becomes (softmax − onehot(label))·rowScales[i],
     * computed as exps·(invSums[i]·rowScales[i]), less rowScales[i] at the label.
     */
    void crossEntropyBackward(INDArray exps, double[] invSums, int[] labels, double[] rowScales);

    /** One AdamW update of a parameter, in place on value, m and v (all dense, of one length). */
    void adamW(INDArray value, INDArray grad, INDArray m, INDArray v, AdamWStep step);

    /**
     * torch.optim.AdamW's constants at step t (from 1): decay = 1 − lr·weightDecay for parameters that decay, else 1.
     */
    record AdamWStep(double lr, double beta1, double beta2, double eps, double decay, int t) {
    }
}
