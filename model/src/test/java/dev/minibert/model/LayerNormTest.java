package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minibert.model.kernels.FloatLayerNormBound;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fused LayerNorm against plain double loops written from the definition: the forward from mean and
 * biased variance, the backward as dyᵀ·J with the full Jacobian ∂y_j/∂x_k of each row (not the closed form
 * the kernel uses). Rows span huge, tiny and zero variance.
 */
class LayerNormTest {
    private static final int ROWS = 9;
    private static final int H = 52; // not a multiple of the vector width: the float kernel's vectors and its scalar tail
    private static final double EPS = 1e-12;

    /** Row r: N(offset, scale²) with (offset, scale) from 0-1 magnitudes to 1e4 and down to a constant row. */
    private static double[][] inputs(long seed) {
        double[][] offsetScale = {{0, 1}, {3, 0.5}, {1e3, 1e4}, {-2e4, 3e3}, {5, 1e-3}, {-7, 2e-5}, {4, 0},
                {0.1, 10}, {-1, 1}};
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[ROWS][H];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < H; j++) {
                x[r][j] = offsetScale[r][0] + offsetScale[r][1] * gaussian(random);
            }
        }
        return x;
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static double[] vector(long seed, double center, double spread) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[H];
        for (int j = 0; j < H; j++) {
            v[j] = center + spread * gaussian(random);
        }
        return v;
    }

    /** The values as the given type stores them, back in double: the reference sees exactly what the kernel sees. */
    private static double[][] stored(double[][] x, DataType type) {
        return Nd4j.createFromArray(x).castTo(type).castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    private static double[] stored(double[] v, DataType type) {
        return Nd4j.createFromArray(v).castTo(type).castTo(DataType.DOUBLE).toDoubleVector();
    }

    private static LayerNorm layerNorm(DataType type, double[] gamma, double[] beta) {
        ParameterStore store = new ParameterStore(type);
        LayerNorm ln = new LayerNorm(store, "ln", H, EPS);
        ln.gamma().value().assign(Nd4j.createFromArray(gamma).castTo(type));
        ln.beta().value().assign(Nd4j.createFromArray(beta).castTo(type));
        return ln;
    }

    private static double maxAbs(double[] v) {
        double max = 0;
        for (double e : v) {
            max = Math.max(max, Math.abs(e));
        }
        return max;
    }

    /**
     * Per-element tolerance for results of magnitude {@code scale}: {@code ulps} roundings of the type, plus
     * the conditioning of x - mean in double, whatever the type: the summation orders of kernel and reference
     * differ, and each loses ~ulp(max|x|) in the deviations, which x̂ magnifies by rstd.
     */
    private static double tolerance(DataType type, double ulps, double scale, double[] x, double rstd) {
        double unit = type == DataType.FLOAT ? 0x1p-24 : 0x1p-53;
        return ulps * unit * scale + 64 * 0x1p-53 * maxAbs(x) * rstd * scale;
    }

    private static double rstd(double[] x) {
        double mean = 0;
        for (double v : x) {
            mean += v / H;
        }
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean) / H;
        }
        return 1 / Math.sqrt(var + EPS);
    }

    private static double[] normalizedRow(double[] x) {
        double mean = 0;
        for (double v : x) {
            mean += v / H;
        }
        double[] xHat = new double[H];
        for (int j = 0; j < H; j++) {
            xHat[j] = (x[j] - mean) * rstd(x);
        }
        return xHat;
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void forwardMatchesTheDefinitionRowByRow(DataType type) {
        double[][] x = stored(inputs(1), type);
        double[] gamma = stored(vector(2, 1, 0.3), type);
        double[] beta = stored(vector(3, 0, 0.5), type);
        double[][] y = layerNorm(type, gamma, beta).forward(Nd4j.createFromArray(x).castTo(type))
                .castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int r = 0; r < ROWS; r++) {
            double[] xHat = normalizedRow(x[r]);
            double[] expected = new double[H];
            for (int j = 0; j < H; j++) {
                expected[j] = xHat[j] * gamma[j] + beta[j];
            }
            // float: the fast kernel computes in float, within FloatLayerNormBound (derived from float rounding; on
            // the constant row 6 only its crude bound is left); double: a few ulps of sums
            double tol = tolerance(type, type == DataType.FLOAT ? 0 : 64, maxAbs(expected), x[r], rstd(x[r]));
            FloatLayerNormBound bound = new FloatLayerNormBound(x[r], EPS);
            for (int j = 0; j < H; j++) {
                double floatBound = type == DataType.FLOAT ? bound.y(j, gamma[j], expected[j]) : 0;
                assertThat(Math.abs(y[r][j] - expected[j])).as("%s row %d col %d", type, r, j)
                        .isLessThanOrEqualTo(tol + floatBound);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void backwardMatchesTheJacobianAndAccumulatesParameterGradients(DataType type) {
        double[][] x = stored(inputs(4), type);
        double[][] dy = stored(inputs(5), type);
        double[] gamma = stored(vector(6, 1, 0.3), type);
        LayerNorm ln = layerNorm(type, gamma, vector(7, 0, 0.5));
        double[] gammaBefore = stored(vector(8, 0, 1), type);
        double[] betaBefore = stored(vector(9, 0, 1), type);
        ln.gamma().grad().assign(Nd4j.createFromArray(gammaBefore).castTo(type));
        ln.beta().grad().assign(Nd4j.createFromArray(betaBefore).castTo(type));

        ln.forward(Nd4j.createFromArray(x).castTo(type));
        double[][] dx = ln.backward(Nd4j.createFromArray(dy).castTo(type)).castTo(DataType.DOUBLE).toDoubleMatrix();

        double[] gammaGrad = gammaBefore.clone();
        double[] betaGrad = betaBefore.clone();
        double[] sumTolerance = new double[H]; // per column: the rounding each row's term may carry
        for (int r = 0; r < ROWS; r++) {
            double[] xHat = normalizedRow(x[r]);
            double rstd = rstd(x[r]);
            double[] expected = new double[H];
            for (int k = 0; k < H; k++) {
                for (int j = 0; j < H; j++) {
                    // ∂y_j/∂x_k = gamma_j · rstd · (δ_jk - 1/H - x̂_j x̂_k / H)
                    double jacobian = gamma[j] * rstd * ((j == k ? 1 : 0) - 1.0 / H - xHat[j] * xHat[k] / H);
                    expected[k] += dy[r][j] * jacobian;
                }
            }
            // float: x̂ is kept rounded to float for backward, and dx sums H such terms
            double[] scaled = new double[H];
            for (int j = 0; j < H; j++) {
                scaled[j] = rstd * dy[r][j] * gamma[j];
            }
            double tol = tolerance(type, type == DataType.FLOAT ? 32 : 256, maxAbs(scaled), x[r], rstd);
            // float: the forward's x̂ (error e_j ≤ E) and rstd (relative ρ) come from the float kernel; with
            // g = dy·gamma, dx_k = r·(g_k − mean(g) − x̂_k·ν), ν = Σ g_j·x̂_j / H and mean|x̂| ≤ 1, they move dx_k by at
            // most r·E·max|g|·(1 + |x̂_k|) + ρ·|dx_k| (first order; the bound's ρ already carries a factor 2)
            FloatLayerNormBound bound = new FloatLayerNormBound(x[r], EPS);
            double xHatBound = 0;
            for (int j = 0; j < H; j++) {
                xHatBound = Math.max(xHatBound, type == DataType.FLOAT ? bound.xHat(j) : 0);
            }
            double rstdBound = type == DataType.FLOAT ? bound.rstd() / rstd : 0;
            for (int k = 0; k < H; k++) {
                double floatBound = (xHatBound * maxAbs(scaled) * (1 + Math.abs(xHat[k])) + rstdBound
                        * Math.abs(expected[k])) * (1 + xHatBound);
                assertThat(Math.abs(dx[r][k] - expected[k])).as("%s row %d col %d", type, r, k)
                        .isLessThanOrEqualTo(tol + floatBound);
            }
            for (int j = 0; j < H; j++) {
                gammaGrad[j] += dy[r][j] * xHat[j];
                betaGrad[j] += dy[r][j];
                sumTolerance[j] += tolerance(type, 8, Math.abs(dy[r][j]) * (1 + Math.abs(xHat[j])), x[r], rstd)
                        + (type == DataType.FLOAT ? Math.abs(dy[r][j]) * bound.xHat(j) : 0);
            }
        }
        assertClose(type, ln.gamma().grad(), gammaGrad, sumTolerance);
        assertClose(type, ln.beta().grad(), betaGrad, sumTolerance);
    }

    private static void assertClose(DataType type, INDArray actual, double[] expected, double[] sumTolerance) {
        double[] got = actual.castTo(DataType.DOUBLE).toDoubleVector();
        double unit = type == DataType.FLOAT ? 0x1p-24 : 0x1p-53;
        for (int j = 0; j < H; j++) {
            double tol = sumTolerance[j] + 2 * unit * Math.abs(expected[j]);
            assertThat(Math.abs(got[j] - expected[j])).as("%s column %d", type, j).isLessThanOrEqualTo(tol);
        }
    }

    /**
     * Inference's forward (keepForBackward false, as under noGrad) allocates and writes no x̂, only y; its y is the
     * bits of the forward that keeps x̂; and a backward after it refuses instead of reading an earlier forward's x̂.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void aForwardThatKeepsNothingWritesNoXHatAndTheSameY(DataType type) {
        INDArray x = Nd4j.createFromArray(stored(inputs(15), type)).castTo(type);
        INDArray dy = Nd4j.createFromArray(stored(inputs(16), type)).castTo(type);
        double[] gamma = stored(vector(17, 1, 0.3), type);
        double[] beta = stored(vector(18, 0, 0.5), type);
        LayerNorm inference = layerNorm(type, gamma, beta);
        long before = Scratch.ownedBytes();
        INDArray y = inference.forward(x, false);
        assertThat(Scratch.ownedBytes() - before).as("y [N,H] alone, no x̂").isEqualTo((long) ROWS * H * type.width());
        assertThatThrownBy(() -> inference.backward(dy)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("noGrad");

        LayerNorm training = layerNorm(type, gamma, beta);
        before = Scratch.ownedBytes();
        INDArray kept = training.forward(x, true);
        assertThat(Scratch.ownedBytes() - before).as("y and x̂").isEqualTo(2L * ROWS * H * type.width());
        // double[] equality is bit for bit (Double.doubleToLongBits), and float values are exact in double
        assertThat(y.castTo(DataType.DOUBLE).data().asDouble()).isEqualTo(kept.castTo(DataType.DOUBLE).data().asDouble());
        training.backward(dy);
        training.forward(x, false);
        assertThatThrownBy(() -> training.backward(dy)).as("the kept x̂ is forgotten by a forward that keeps nothing")
                .isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void viewsAreReadInTheirLogicalOrder(DataType type) {
        INDArray wide = Nd4j.createFromArray(inputs(10)).castTo(type);
        INDArray columns = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 16)); // strided rows
        INDArray rows = wide.get(NDArrayIndex.interval(2, 6), NDArrayIndex.all());   // offset into the buffer
        INDArray fOrder = wide.dup('f');
        LayerNorm ln = layerNorm(type, vector(11, 1, 0.3), vector(12, 0, 0.5));
        for (INDArray view : new INDArray[] {rows, fOrder}) {
            INDArray expected = ln.forward(view.dup('c')).dup();
            assertThat(ln.forward(view)).isEqualTo(expected);
            INDArray dy = Nd4j.createFromArray(inputs(13)).castTo(type).get(NDArrayIndex.interval(0, view.rows()),
                    NDArrayIndex.all());
            INDArray expectedGrad = ln.backward(dy.dup('c')).dup();
            assertThat(ln.backward(dy)).isEqualTo(expectedGrad);
        }
        ParameterStore store = new ParameterStore(type);
        LayerNorm small = new LayerNorm(store, "small", 16, EPS);
        GradientCheck.randomize(store, 14);
        INDArray expected = small.forward(columns.dup('c')).dup();
        assertThat(small.forward(columns)).isEqualTo(expected);
    }
}
