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
     * out's rows [from, to) from x's, on the calling thread, keeping nothing for a backward: for a caller already on a
     * kernel thread (a frozen layer, row block by row block). The bits of {@link #forward}'s rows.
     */
    void forwardRows(INDArray x, double[] gamma, double[] beta, double eps, INDArray out, int from, int to);

    /**
     * dx = rstd · (dxHat − mean(dxHat) − xHat · mean(dxHat · xHat)) with dxHat = dy·gamma; adds Σ_rows dy·xHat into
     * gammaGrad and Σ_rows dy into betaGrad.
     */
    void backward(INDArray dy, INDArray xHat, double[] gamma, double[] rstd, INDArray dx, double[] gammaGrad,
                  double[] betaGrad);
}
