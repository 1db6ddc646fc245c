package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The fused GELU against a plain double loop over x·Φ(x) and Φ(x) + x·φ(x), and against tabulated values. */
class GeluTest {
    /** N(0, 2²) plus the tails, zeros and values where erf saturates. */
    private static double[] inputs(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[n];
        double[] special = {0, -0.0, 1e-30, -1e-30, 6, -6, 8.5, -8.5, 12, -12, 40, -40, 1e6, -1e6};
        for (int i = 0; i < n; i++) {
            x[i] = i < special.length ? special[i] : 2 * random.nextGaussian();
        }
        return x;
    }

    private static double cdf(double x) {
        return 0.5 * (1 + Erf.erf(x / Math.sqrt(2)));
    }

    private static double[] stored(double[] v, DataType type) {
        return Nd4j.createFromArray(v).castTo(type).castTo(DataType.DOUBLE).toDoubleVector();
    }

    /**
     * Within {@code ulps} roundings of the type relative to each element's magnitude, plus a few roundings of
     * the type times its conditioning: Gelu computes in the array's type (double: ND4J's erf and exp; float: the
     * SIMD kernel's erf, |error| ≤ 1.5e-7, about an ulp of 1; as torch's float GELU does), so ½(1 + erf) carries
     * erf's absolute error into a Φ that may be 1e-8, and exp(-x²/2) magnifies the rounding of x² by x².
     */
    private static void assertClose(double[] actual, double[] expected, double[] magnitude, double[] conditioning,
                                    DataType type, double ulps) {
        double unit = type == DataType.FLOAT ? 0x1p-24 : 0x1p-53;
        for (int i = 0; i < expected.length; i++) {
            double tol = ulps * unit * magnitude[i] + 8 * unit * conditioning[i];
            assertThat(Math.abs(actual[i] - expected[i])).as("%s element %d", type, i).isLessThanOrEqualTo(tol);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void forwardAndBackwardMatchTheFormulaElementByElement(DataType type) {
        int rows = 3;
        int n = rows * 1001;
        double[] x = stored(inputs(1, n), type);
        double[] dy = stored(inputs(2, n), type);
        Gelu gelu = new Gelu(Kernels.forType(type));
        double[] y = gelu.forward(Nd4j.createFromArray(x).castTo(type).reshape(rows, n / rows))
                .castTo(DataType.DOUBLE).reshape(n).toDoubleVector();
        double[] dx = gelu.backward(Nd4j.createFromArray(dy).castTo(type).reshape(rows, n / rows))
                .castTo(DataType.DOUBLE).reshape(n).toDoubleVector();
        double[] expectedY = new double[n];
        double[] expectedDx = new double[n];
        double[] yMagnitude = new double[n];
        double[] yConditioning = new double[n];
        double[] dxMagnitude = new double[n];
        double[] dxConditioning = new double[n];
        for (int i = 0; i < n; i++) {
            double phi = Math.exp(-x[i] * x[i] / 2) / Math.sqrt(2 * Math.PI);
            expectedY[i] = x[i] * cdf(x[i]);
            expectedDx[i] = dy[i] * (cdf(x[i]) + x[i] * phi);
            yMagnitude[i] = Math.abs(expectedY[i]);
            yConditioning[i] = Math.abs(x[i]);
            // Φ + xφ cancels near x = -0.75; φ comes from exp of -x²/2 as the array's type stores it, so it
            // carries x²/2 roundings of that type
            dxMagnitude[i] = Math.abs(dy[i]) * (cdf(x[i]) + Math.abs(x[i] * phi) * (1 + x[i] * x[i] / 2));
            dxConditioning[i] = Math.abs(dy[i]) * (1 + Math.abs(x[i] * phi) * (1 + x[i] * x[i]));
        }
        assertClose(y, expectedY, yMagnitude, yConditioning, type, type == DataType.FLOAT ? 1 : 8);
        assertClose(dx, expectedDx, dxMagnitude, dxConditioning, type, type == DataType.FLOAT ? 4 : 8);
    }

    @Test
    void derivativeMatchesTabulatedValues() {
        Gelu gelu = new Gelu(Kernels.reference());
        gelu.forward(Nd4j.createFromArray(1.0, -1.0, 2.0, 0.0));
        double[] dx = gelu.backward(Nd4j.createFromArray(1.0, 1.0, 1.0, 1.0)).toDoubleVector();
        // Φ(x) + x·φ(x) from tabulated Φ(1) = 0.8413447460685429, φ(1) = 0.24197072451914337,
        // Φ(2) = 0.9772498680518208, φ(2) = 0.05399096651318806
        assertThat(dx[0]).isCloseTo(0.8413447460685429 + 0.24197072451914337, within(1e-15));
        assertThat(dx[1]).isCloseTo(0.15865525393145707 - 0.24197072451914337, within(1e-15));
        assertThat(dx[2]).isCloseTo(0.9772498680518208 + 2 * 0.05399096651318806, within(1e-15));
        assertThat(dx[3]).isEqualTo(0.5);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void viewsAreReadInTheirLogicalOrder(DataType type) {
        INDArray x = Nd4j.createFromArray(inputs(3, 60)).castTo(type).reshape(6, 10);
        INDArray dy = Nd4j.createFromArray(inputs(4, 60)).castTo(type).reshape(6, 10);
        Gelu gelu = new Gelu(Kernels.forType(type));
        for (INDArray[] pair : new INDArray[][] {
                {x.get(NDArrayIndex.interval(1, 4), NDArrayIndex.all()), dy.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all())},
                {x.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 8)), dy.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 5))},
                {x.transpose(), dy.transpose()}}) {
            INDArray expected = gelu.forward(pair[0].dup('c')).dup();
            INDArray expectedGrad = gelu.backward(pair[1].dup('c')).dup();
            assertThat(gelu.forward(pair[0])).isEqualTo(expected);
            assertThat(gelu.backward(pair[1])).isEqualTo(expectedGrad);
        }
    }
}
