package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Erf#erf} against erf's Taylor series summed in 64-digit decimal arithmetic. */
class ErfTest {
    private static final MathContext DIGITS = new MathContext(64);
    // 2/√π to 70 digits
    private static final BigDecimal TWO_OVER_SQRT_PI =
            new BigDecimal("1.128379167095512573896158903121545171688101258657997713688171443421284936882");

    private static final int MAX_TERMS = 400;
    // 1/n and 1/(2n+1) to 70 digits: BigDecimal multiplies are far cheaper than its divides
    private static final BigDecimal[] INVERSE = new BigDecimal[2 * MAX_TERMS + 2];

    static {
        MathContext wide = new MathContext(70);
        for (int k = 1; k < INVERSE.length; k++) {
            INVERSE[k] = BigDecimal.ONE.divide(BigDecimal.valueOf(k), wide);
        }
    }

    /**
     * erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)). The terms peak near 3·10^14 at x = 6, so 64 digits
     * leave ~45 correct ones; summed until a term is 10^-40 of the sum. Rounded once to double.
     */
    private static double reference(double x) {
        if (x == 0) {
            return x;
        }
        BigDecimal bx = new BigDecimal(x, DIGITS);
        BigDecimal minusX2 = bx.multiply(bx, DIGITS).negate();
        BigDecimal power = bx; // (-1)^n x^(2n+1) / n!
        BigDecimal sum = bx;
        for (int n = 1; n <= MAX_TERMS; n++) {
            power = power.multiply(minusX2, DIGITS).multiply(INVERSE[n], DIGITS);
            BigDecimal term = power.multiply(INVERSE[2 * n + 1], DIGITS);
            sum = sum.add(term, DIGITS);
            if (term.abs().compareTo(sum.abs().movePointLeft(40)) < 0) {
                return sum.multiply(TWO_OVER_SQRT_PI, DIGITS).doubleValue();
            }
        }
        throw new AssertionError("series did not converge at " + x);
    }

    private static void assertWithinOneUlp(double x) {
        double expected = reference(x);
        double actual = Erf.erf(x);
        assertThat(Math.abs(actual - expected)).as("erf(%s) = %s, reference %s", x, actual, expected)
                .isLessThanOrEqualTo(Math.ulp(expected));
    }

    @Test
    void withinOneUlpOnADenseGridAcrossEveryInterval() {
        // step 1/256 over [0, 6.5] crosses all of fdlibm's interval boundaries (0.84375, 1.25, 2.857, 6);
        // negative x by symmetry (isOddExactly)
        for (int k = 0; k <= 6 * 256 + 128; k++) {
            assertWithinOneUlp(k / 256.0);
        }
    }

    @Test
    void withinOneUlpAtRandomPointsAndAtTheBoundaries() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 2000; i++) {
            assertWithinOneUlp(random.nextDouble(-6.5, 6.5));
        }
        double farTail = Double.longBitsToDouble(0x4006DB6E00000000L);
        for (double b : new double[] {0.84375, 1.25, farTail, 6, 0x1p-28}) {
            for (double x : new double[] {Math.nextDown(b), b, Math.nextUp(b)}) {
                assertWithinOneUlp(x);
                assertWithinOneUlp(-x);
            }
        }
    }

    @Test
    void tinyArgumentsKeepTheirRelativeAccuracyDownToSubnormals() {
        for (double x : new double[] {1e-300, 0x1p-1020, Double.MIN_NORMAL, Double.MIN_VALUE, 3 * Double.MIN_VALUE,
                1e-20, 0x1p-29, 1e-8}) {
            assertWithinOneUlp(x);
            assertWithinOneUlp(-x);
        }
    }

    @Test
    void isOddExactly() {
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < 1000; i++) {
            double x = random.nextDouble(0, 8);
            assertThat(Erf.erf(-x)).isEqualTo(-Erf.erf(x));
        }
    }

    @Test
    void specialValues() {
        assertThat(Double.doubleToRawLongBits(Erf.erf(0.0))).isEqualTo(Double.doubleToRawLongBits(0.0));
        assertThat(Double.doubleToRawLongBits(Erf.erf(-0.0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(Erf.erf(Double.NaN)).isNaN();
        assertThat(Erf.erf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
        assertThat(Erf.erf(Double.NEGATIVE_INFINITY)).isEqualTo(-1.0);
        // 1 - erf(x) < 2^-54 from x ≈ 5.93 on: the double nearest erf(x) is 1
        for (double x : new double[] {5.95, 6, 6.5, 27, 28, 1e10, 1e300, Double.MAX_VALUE}) {
            assertThat(Erf.erf(x)).isEqualTo(1.0);
            assertThat(Erf.erf(-x)).isEqualTo(-1.0);
        }
    }
}
