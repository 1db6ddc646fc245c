package dev.minibert.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/** LayerNorm over the rows of x [N,H] (see {@link dev.minibert.model.LayerNorm} for the math). */
public interface LayerNormKernel {
    /**
     * out = xHat·gamma + beta with xHat = (x − mean)·rstd, rstd = 1/sqrt(var + eps); fills xHat and rstd [N]. xHat may
     * be null (no backward will read it, as under {@code BertModel.noGrad()}): then only out and rstd are written, out
     * with the same bits as with an xHat.
     */
    void forward(INDArray x, double[] gamma, double[] beta, double eps, INDArray xHat, double[] rstd, INDArray out);

    /**
     * The forward for rows a range at a time, gamma and beta converted once, keeping nothing for a backward: for
     * callers already on the kernel threads (a frozen layer, row block by row block), any number at once.
     */
    Rows rows(double[] gamma, double[] beta, double eps);

    /** {@link #rows}' forward. */
    interface Rows {
        /** out's rows [from, to) from x's (both dense [N,H]) on the calling thread: the bits of {@link #forward}'s. */
        void forward(INDArray x, INDArray out, int from, int to);
    }

    /**
     * dx = rstd · (dxHat − mean(dxHat) − xHat · mean(dxHat · xHat)) with dxHat = dy·gamma; adds Σ_rows dy·xHat into
     * gammaGrad and Σ_rows dy into betaGrad.
     */
    void backward(INDArray dy, INDArray xHat, double[] gamma, double[] rstd, INDArray dx, double[] gammaGrad,
                  double[] betaGrad);
}
