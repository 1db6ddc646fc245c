package dev.minibert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm over the last axis of [N,H]: y = (x - mean) / sqrt(var + eps) * gamma + beta, with the biased
 * variance (as torch). Forward and backward are each one pass over the rows (see {@link FlatView}); a row
 * is computed in double and stored in the array's type.
 */
public final class LayerNorm {
    private final Parameter gamma;
    private final Parameter beta;
    private final int hidden;
    private final double eps;
    private INDArray normalized; // x̂ [N,H], kept for backward
    private double[] rstd;       // 1/sqrt(var+eps) per row, kept for backward
    private INDArray output;
    private INDArray inputGrad;
    // per-row and per-column work arrays, [H] each; rows go in and out whole (FlatView.read/write)
    private final double[] row;
    private final double[] rowGrad;
    private final double[] rowOut;
    private final double[] scale;
    private final double[] shift;
    private final double[] gammaGrad;
    private final double[] betaGrad;

    public LayerNorm(ParameterStore store, String name, int hidden, double eps) {
        this.hidden = hidden;
        this.eps = eps;
        this.gamma = store.add(name + ".weight", hidden);
        this.beta = store.add(name + ".bias", hidden);
        this.row = new double[hidden];
        this.rowGrad = new double[hidden];
        this.rowOut = new double[hidden];
        this.scale = new double[hidden];
        this.shift = new double[hidden];
        this.gammaGrad = new double[hidden];
        this.betaGrad = new double[hidden];
    }

    /** x: [N,H] (a view is copied first, see {@link FlatView#plain}) → [N,H]. */
    public INDArray forward(INDArray x) {
        if (x.rank() != 2 || x.columns() != hidden) {
            throw new IllegalArgumentException(gamma.name() + ": expected input [N," + hidden + "], got "
                    + Arrays.toString(x.shape()));
        }
        int n = (int) x.rows();
        normalized = Scratch.reuse(normalized, x.dataType(), n, hidden);
        output = Scratch.reuse(output, x.dataType(), n, hidden);
        rstd = rstd != null && rstd.length == n ? rstd : new double[n];
        FlatView in = FlatView.of(FlatView.plain(x));
        FlatView xHat = FlatView.of(normalized);
        FlatView out = FlatView.of(output);
        double[] g = FlatView.of(gamma.value()).read(0, scale);
        double[] b = FlatView.of(beta.value()).read(0, shift);
        for (int r = 0, base = 0; r < n; r++, base += hidden) {
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
            rstd[r] = s;
            for (int j = 0; j < hidden; j++) {
                row[j] = (row[j] - mean) * s;
                rowOut[j] = row[j] * g[j] + b[j];
            }
            xHat.write(base, row);
            out.write(base, rowOut);
        }
        return output;
    }

    /**
     * dy: [N,H] → dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) with dx̂ = dy · gamma; adds Σ_rows dy·x̂
     * and Σ_rows dy into the gamma and beta gradients.
     */
    public INDArray backward(INDArray dy) {
        int n = (int) dy.rows();
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), n, hidden);
        FlatView upstream = FlatView.of(FlatView.plain(dy));
        FlatView xHat = FlatView.of(normalized);
        FlatView dx = FlatView.of(inputGrad);
        double[] g = FlatView.of(gamma.value()).read(0, scale);
        Arrays.fill(gammaGrad, 0);
        Arrays.fill(betaGrad, 0);
        for (int r = 0, base = 0; r < n; r++, base += hidden) {
            upstream.read(base, rowGrad);
            xHat.read(base, row);
            double sum = 0;
            double dot = 0;
            for (int j = 0; j < hidden; j++) {
                double d = rowGrad[j] * g[j];
                sum += d;
                dot += d * row[j];
                gammaGrad[j] += rowGrad[j] * row[j];
                betaGrad[j] += rowGrad[j];
            }
            double mean = sum / hidden;
            double meanDot = dot / hidden;
            double s = rstd[r];
            for (int j = 0; j < hidden; j++) {
                rowOut[j] = s * (rowGrad[j] * g[j] - mean - row[j] * meanDot);
            }
            dx.write(base, rowOut);
        }
        FlatView.of(gamma.grad()).add(gammaGrad);
        FlatView.of(beta.grad()).add(betaGrad);
        return inputGrad;
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }
}
