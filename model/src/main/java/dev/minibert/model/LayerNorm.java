package dev.minibert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm over the last axis of [N,H]: y = (x - mean) / sqrt(var + eps) * gamma + beta, with the biased
 * variance (as torch). Forward and backward are each one pass over the rows, split over the kernel threads
 * ({@link Parallel}); a row is computed in double and stored in the array's type: by {@link VectorKernels} for
 * floats, by scalar loops over {@link FlatView} for doubles (the gradient checks).
 */
public final class LayerNorm {
    /** Rows per block of the backward's gamma/beta sums: blocks run in parallel and are added in order. */
    static final int BLOCK_ROWS = 64;
    private final Parameter gamma;
    private final Parameter beta;
    private final int hidden;
    private final double eps;
    private INDArray normalized; // x̂ [N,H], kept for backward
    private double[] rstd;       // 1/sqrt(var+eps) per row, kept for backward
    private INDArray output;
    private INDArray inputGrad;
    private double[] blockSums;  // [blocks][2][H]: each block's Σ dy·x̂ and Σ dy

    public LayerNorm(ParameterStore store, String name, int hidden, double eps) {
        this.hidden = hidden;
        this.eps = eps;
        this.gamma = store.add(name + ".weight", hidden);
        this.beta = store.add(name + ".bias", hidden);
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
        INDArray input = FlatView.plain(x);
        double[] g = FlatView.of(gamma.value()).read(0, new double[hidden]);
        double[] b = FlatView.of(beta.value()).read(0, new double[hidden]);
        boolean vector = VectorSupport.serves(input);
        Parallel.forRange(n, 1, rowsPerPiece(), (from, to) -> {
            if (vector) {
                VectorKernels.layerNorm(input, normalized, output, g, b, eps, rstd, from, to);
            } else {
                forwardRows(FlatView.of(input), g, b, from, to);
            }
        });
        return output;
    }

    /**
     * dy: [N,H] → dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) with dx̂ = dy · gamma; adds Σ_rows dy·x̂
     * and Σ_rows dy into the gamma and beta gradients, summed per block of {@link #BLOCK_ROWS} rows and then over
     * the blocks in order, whatever the thread count.
     */
    public INDArray backward(INDArray dy) {
        int n = (int) dy.rows();
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), n, hidden);
        INDArray upstream = FlatView.plain(dy);
        double[] g = FlatView.of(gamma.value()).read(0, new double[hidden]);
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        blockSums = blockSums != null && blockSums.length == 2 * blocks * hidden ? blockSums
                : new double[2 * blocks * hidden];
        Arrays.fill(blockSums, 0);
        boolean vector = VectorSupport.serves(upstream, normalized);
        Parallel.forRange(blocks, 1, Math.max(1, rowsPerPiece() / BLOCK_ROWS), (fromBlock, toBlock) -> {
            for (int block = fromBlock; block < toBlock; block++) {
                int gammaAt = 2 * block * hidden;
                int from = block * BLOCK_ROWS;
                int to = Math.min(n, from + BLOCK_ROWS);
                if (vector) {
                    VectorKernels.layerNormBackward(upstream, normalized, inputGrad, g, rstd, blockSums, gammaAt, from,
                            to);
                } else {
                    backwardRows(FlatView.of(upstream), g, gammaAt, from, to);
                }
            }
        });
        double[] gammaGrad = new double[hidden];
        double[] betaGrad = new double[hidden];
        for (int block = 0; block < blocks; block++) {
            for (int j = 0; j < hidden; j++) {
                gammaGrad[j] += blockSums[2 * block * hidden + j];
                betaGrad[j] += blockSums[(2 * block + 1) * hidden + j];
            }
        }
        FlatView.of(gamma.grad()).add(gammaGrad);
        FlatView.of(beta.grad()).add(betaGrad);
        return inputGrad;
    }

    /** The scalar forward of rows [from, to), for doubles (and floats without the vector module). */
    private void forwardRows(FlatView in, double[] g, double[] b, int from, int to) {
        FlatView xHat = FlatView.of(normalized);
        FlatView out = FlatView.of(output);
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
            rstd[r] = s;
            for (int j = 0; j < hidden; j++) {
                row[j] = (row[j] - mean) * s;
                rowOut[j] = row[j] * g[j] + b[j];
            }
            xHat.write(base, row);
            out.write(base, rowOut);
        }
    }

    /** The scalar backward of rows [from, to), its Σ dy·x̂ and Σ dy added at blockSums[gammaAt] and after. */
    private void backwardRows(FlatView upstream, double[] g, int gammaAt, int from, int to) {
        FlatView xHat = FlatView.of(normalized);
        FlatView dx = FlatView.of(inputGrad);
        int betaAt = gammaAt + hidden;
        double[] row = new double[hidden];
        double[] rowGrad = new double[hidden];
        double[] rowOut = new double[hidden];
        for (int r = from, base = from * hidden; r < to; r++, base += hidden) {
            upstream.read(base, rowGrad);
            xHat.read(base, row);
            double sum = 0;
            double dot = 0;
            for (int j = 0; j < hidden; j++) {
                double d = rowGrad[j] * g[j];
                sum += d;
                dot += d * row[j];
                blockSums[gammaAt + j] += rowGrad[j] * row[j];
                blockSums[betaAt + j] += rowGrad[j];
            }
            double mean = sum / hidden;
            double meanDot = dot / hidden;
            double s = rstd[r];
            for (int j = 0; j < hidden; j++) {
                rowOut[j] = s * (rowGrad[j] * g[j] - mean - row[j] * meanDot);
            }
            dx.write(base, rowOut);
        }
    }

    private int rowsPerPiece() {
        return Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / hidden);
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }
}
