package dev.minibert.model.kernels;

import dev.minibert.model.FlatView;
import org.nd4j.linalg.api.ndarray.INDArray;

/** LayerNorm row by row in double, as llm.c's layernorm_forward / layernorm_backward. */
final class ReferenceLayerNorm implements LayerNormKernel {
    @Override
    public void forward(INDArray x, double[] gamma, double[] beta, double eps, INDArray xHat, double[] rstd,
                        INDArray out) {
        rows(x, gamma, beta, eps, xHat, rstd, out, 0, rstd.length);
    }

    @Override
    public Rows rows(double[] gamma, double[] beta, double eps) {
        return (x, out, from, to) -> rows(x, gamma, beta, eps, null, null, out, from, to);
    }

    /** Rows [from, to); xHat and rstd written where not null. */
    private static void rows(INDArray x, double[] gamma, double[] beta, double eps, INDArray xHat, double[] rstd,
                             INDArray out, int from, int to) {
        int hidden = gamma.length;
        FlatView in = FlatView.of(FlatView.plain(x));
        double[] row = new double[hidden];
        double[] rowOut = new double[hidden];
        for (int r = from, base = from * hidden; r < to; r++, base += hidden) {
            in.read(base, row);
            double sum = 0;
            for (double v : row) {
                sum += v;
            }
            double mean = sum / hidden;
            double squares = 0; // around the mean, not E[x²] - mean²: no cancellation for rows far from 0
            for (double v : row) {
                squares += (v - mean) * (v - mean);
            }
            double s = 1 / Math.sqrt(squares / hidden + eps);
            if (rstd != null) {
                rstd[r] = s;
            }
            for (int j = 0; j < hidden; j++) {
                row[j] = (row[j] - mean) * s;
                rowOut[j] = row[j] * gamma[j] + beta[j];
            }
            if (xHat != null) {
                FlatView.of(xHat).write(base, row);
            }
            FlatView.of(out).write(base, rowOut);
        }
    }

    @Override
    public void backward(INDArray dy, INDArray xHat, double[] gamma, double[] rstd, INDArray dx, double[] gammaGrad,
                         double[] betaGrad) {
        int hidden = gamma.length;
        FlatView upstream = FlatView.of(FlatView.plain(dy));
        FlatView normalized = FlatView.of(xHat);
        FlatView inputGrad = FlatView.of(dx);
        double[] row = new double[hidden];
        double[] rowGrad = new double[hidden];
        double[] rowOut = new double[hidden];
        for (int r = 0, base = 0; r < rstd.length; r++, base += hidden) {
            upstream.read(base, rowGrad);
            normalized.read(base, row);
            double sum = 0; // Σ dx̂ with dx̂ = dy·gamma
            double dot = 0; // Σ dx̂·x̂
            for (int j = 0; j < hidden; j++) {
                double d = rowGrad[j] * gamma[j];
                sum += d;
                dot += d * row[j];
                gammaGrad[j] += rowGrad[j] * row[j];
                betaGrad[j] += rowGrad[j];
            }
            double mean = sum / hidden;
            double meanDot = dot / hidden;
            for (int j = 0; j < hidden; j++) {
                rowOut[j] = rstd[r] * (rowGrad[j] * gamma[j] - mean - row[j] * meanDot);
            }
            inputGrad.write(base, rowOut);
        }
    }
}
