package dev.minibert.model.kernels;

/**
 * The a-priori error bound of the fast backend's float LayerNorm forward ({@code FastLayerNorm}) on one row of H
 * floats, against exact arithmetic on the same floats, derived from float rounding (u = 2⁻²⁴ per operation, a double
 * operation taken as exact) and nothing measured. With L = {@link FloatLanes#LANES}, S = Σ|x_j|, m = Σx_j / H,
 * d_j = x_j − m, Q = Σd_j², var = Q / H, r = 1/sqrt(var + eps):
 * <pre>
 *   sums     element j goes into lane j mod L (at most ⌈H/L⌉ adds), then the L lanes in a tree of log2(L) adds
 *            (counted as L, an upper bound): every term passes through at most k = ⌈H/L⌉ + L roundings, so |ŝ − s| ≤ γ_k·Σ|terms|, γ_k = k·u/(1 − k·u)
 *   mean     m̂ = fl(ŝ / H):                |m̂ − m| ≤ Δ = γ_k·S/H·(1 + u) + u·|m|
 *   deviat.  d̂_j = fl(x_j − m̂) = (d_j − e)(1 + ε_j), |e| ≤ Δ, |ε_j| ≤ u
 *   squares  Σ(d_j − e)² = Q + H·e² (Σd_j = 0), each squared (1 + ε_j)² and fma-summed (γ_k), then / H (u):
 *            E_Q = (H·Δ² + (3u + γ_k)·(Q + H·Δ²))·(1 + u) / H,  |v̂ar − var| ≤ E_v = E_Q·(1 + u) + u·var
 *   rstd     1/sqrt in double from the float v̂ar, rounded to float: with t = E_v / (var + eps) ≤ ½,
 *            |(1 + t)^-½ − 1| ≤ t (first order t/2), so |r̂ − r| / r ≤ ρ = t·(1 + u) + u (+ 2⁻⁵⁰ for the double ops)
 *   x̂_j      fl(d̂_j·r̂) with d̂_j = d_j + η_j, |η_j| ≤ Δ + u·(|d_j| + Δ), r̂ = r·(1 + ρ'), |ρ'| ≤ ρ:
 *            |x̂_j − d_j·r| ≤ r·(1 + ρ)·(1 + u)·|η_j| + r·|d_j|·ρ + u·r·(1 + ρ)·(|d_j| + Δ)
 *   y_j      fma(x̂_j, γ_j, β_j), one rounding, γ and β floats: |ŷ_j − y_j| ≤ |γ_j|·E_x̂ + u·(|y_j| + |γ_j|·E_x̂)
 * </pre>
 * Where t > ½ (the mean's float rounding alone is as large as the row's spread: a constant row, or one a few ulps
 * wide) only the crude bound is left: r̂ ≤ (1 + u)/sqrt(eps) as v̂ar ≥ 0, so |r̂ − r| ≤ (1 + u)/sqrt(eps) and
 * |x̂_j − d_j·r| ≤ (|d_j| + Δ)·(1 + u)³/sqrt(eps) + |d_j|·r.
 * On rows far from zero (|m| much larger than the spread) Δ, about ⌈H/L⌉ + L + 1 half-ulps of |m| at worst, is the
 * term that counts: x̂'s error is then Δ·r, as in any float LayerNorm that keeps its mean in float (torch's).
 */
public final class FloatLayerNormBound {
    static final double U = 0x1p-24;
    private final double[] deviations;
    private final double delta;
    private final double rho;
    private final double rstd;
    private final double rstdMax; // 0 where the first-order bound holds, (1 + u)/sqrt(eps) where it does not

    /** x: the row's floats, as doubles. */
    public FloatLayerNormBound(double[] x, double eps) {
        int hidden = x.length;
        int k = (hidden + FloatLanes.LANES - 1) / FloatLanes.LANES + FloatLanes.LANES;
        double gamma = k * U / (1 - k * U);
        double abs = 0;
        double sum = 0;
        for (double v : x) {
            abs += Math.abs(v);
            sum += v;
        }
        double mean = sum / hidden;
        deviations = new double[hidden];
        double squares = 0;
        for (int j = 0; j < hidden; j++) {
            deviations[j] = x[j] - mean;
            squares += deviations[j] * deviations[j];
        }
        double var = squares / hidden;
        delta = gamma * abs / hidden * (1 + U) + U * Math.abs(mean);
        double squaresError = (hidden * delta * delta + (3 * U + gamma) * (squares + hidden * delta * delta))
                * (1 + U) / hidden;
        double varError = squaresError * (1 + U) + U * var;
        rho = varError / (var + eps) * (1 + U) + U + 0x1p-50; // and a few roundings of the double 1/sqrt
        rstd = 1 / Math.sqrt(var + eps);
        rstdMax = varError > (var + eps) / 2 ? (1 + U) / Math.sqrt(eps) : 0;
    }

    /** Whether the first-order bound holds for this row (t ≤ ½), not only the crude one. */
    public boolean firstOrder() {
        return rstdMax == 0;
    }

    /** The bound on |r̂ − r|, r the exact rstd. */
    public double rstd() {
        return rstdMax > 0 ? rstdMax : rstd * rho;
    }

    /** The bound on |x̂_j − d_j·r|. */
    public double xHat(int j) {
        double d = Math.abs(deviations[j]);
        if (rstdMax > 0) {
            return (d + delta) * (1 + U) * (1 + U) * rstdMax + d * rstd;
        }
        return rstd * (1 + rho) * (delta + U * (d + delta)) * (1 + U) + rstd * d * rho
                + U * rstd * (1 + rho) * (d + delta);
    }

    /** The bound on |ŷ_j − y_j| for y_j = x̂_j·gamma + beta of magnitude |y|, gamma and beta floats. */
    public double y(int j, double gamma, double y) {
        double xHatError = Math.abs(gamma) * xHat(j);
        return xHatError + U * (Math.abs(y) + xHatError);
    }

    /**
     * The bound on the float backward's |d̂x_k − rstd·t_k| for one row, against exact arithmetic on the floats it
     * reads (dy, gamma, the forward's x̂ and rstd), t_k = d_k − μ − x̂_k·ν, d_j = dy_j·gamma_j, μ = Σd_j / H,
     * ν = Σd_j·x̂_j / H. With A = Σ|d_j|, B = Σ|d_j·x̂_j| and k = ⌈H/L⌉ + L as for the forward's sums:
     * <pre>
     *   μ̂   d̂_j = fl(dy_j·gamma_j) (u), summed in lanes (γ_k): |ŝ − s| ≤ E_s = (u + γ_k·(1 + u))·A, then / H (u):
     *        |μ̂ − μ| ≤ E_μ = E_s / H + u·(|μ| + E_s / H)
     *   ν̂   fma(d̂_j, x̂_j, ·): the product d̂_j·x̂_j exact but for d̂_j's u, then γ_k: E_dot = (u + γ_k·(1 + u))·B,
     *        |ν̂ − ν| ≤ E_ν = E_dot / H + u·(|ν| + E_dot / H)
     *   dx_k  ((d̂_k − μ̂) − x̂_k·ν̂)·rstd, four roundings after d̂_k's: each of d_k, μ and x̂_k·ν passes through at most
     *        four (u each), the errors of μ̂ and ν̂ through three more (1 + 4u):
     *        |d̂x_k − rstd·t_k| ≤ rstd·(E_μ + |x̂_k|·E_ν + 4u·(|d_k| + |μ| + |x̂_k·ν|))·(1 + 4u)
     * </pre>
     */
    public static double[] inputGrad(double[] dy, double[] gamma, double[] xHat, double rstd) {
        int hidden = dy.length;
        int k = (hidden + FloatLanes.LANES - 1) / FloatLanes.LANES + FloatLanes.LANES;
        double gammaK = k * U / (1 - k * U);
        double a = 0;
        double b = 0;
        double sum = 0;
        double dot = 0;
        for (int j = 0; j < hidden; j++) {
            double d = dy[j] * gamma[j];
            a += Math.abs(d);
            b += Math.abs(d * xHat[j]);
            sum += d;
            dot += d * xHat[j];
        }
        double mean = sum / hidden;
        double meanDot = dot / hidden;
        double sumError = (U + gammaK * (1 + U)) * a;
        double meanError = sumError / hidden + U * (Math.abs(mean) + sumError / hidden);
        double dotError = (U + gammaK * (1 + U)) * b;
        double meanDotError = dotError / hidden + U * (Math.abs(meanDot) + dotError / hidden);
        double[] bound = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            bound[j] = rstd * (meanError + Math.abs(xHat[j]) * meanDotError + 4 * U * (Math.abs(dy[j] * gamma[j])
                    + Math.abs(mean) + Math.abs(xHat[j] * meanDot))) * (1 + 4 * U);
        }
        return bound;
    }

    /**
     * The float backward's gamma and beta sums: each block of up to {@code FastLayerNorm.BLOCK_ROWS} rows fma-sums
     * (products exact) from 0, then the blocks are added in double: a column's term passes through at most
     * min(rows, BLOCK_ROWS) float roundings, γ_m·Σ|term| with m = min(rows, BLOCK_ROWS).
     */
    public static double columnSumFactor(int rows) {
        int m = Math.min(rows, FastLayerNorm.BLOCK_ROWS);
        return m * U / (1 - m * U);
    }
}
