package dev.minibert.model;

/**
 * The error function in double precision, which Java's Math lacks. The method and coefficients are
 * fdlibm's (s_erf.c, Copyright (C) 1993 by Sun Microsystems, Inc.; "Permission to use, copy, modify, and
 * distribute this software is freely granted, provided that this notice is preserved."): rational
 * approximations on four intervals of |x|, the last two through erfc(x) = exp(-x² - 0.5625 + R/S) / x.
 * Error below 1 ulp; tested against a 64-digit Taylor series. The reference erf of {@code GeluTest}, independent
 * of the erfs that {@link Gelu} uses (ND4J's in double, the SIMD kernel's in float).
 */
final class Erf {
    // erf(1) rounded to 24 bits: the [0.84375, 1.25) interval approximates erf(x) - ERF_1
    private static final double ERF_1 = 0x1.b0ac160000000p-1;
    private static final double TWO_OVER_SQRT_PI_MINUS_1 = 0x1.06eba8214db69p-3;
    // thresholds on |x|
    private static final double SMALL = 0x1p-28;                                   // erf(x) = 2x/√π in double
    private static final double SUBNORMAL_RISK = Double.longBitsToDouble(0x0080000000000000L);
    private static final double NEAR_ONE = 0.84375;
    private static final double TAIL = 1.25;
    private static final double FAR_TAIL = Double.longBitsToDouble(0x4006DB6E00000000L); // ≈ 1/0.35
    private static final double SATURATED = 6;                                     // 1 - erf(6) < 2^-53

    private Erf() {
    }

    static double erf(double x) {
        double a = Math.abs(x);
        if (!(a < SATURATED)) {
            return Double.isNaN(x) ? x : Math.copySign(1.0, x);
        }
        if (a < NEAR_ONE) {
            if (a < SMALL) {
                // scaled by 8 so that efx·x does not lose bits to gradual underflow
                return a < SUBNORMAL_RISK ? 0.125 * (8 * x + 8 * TWO_OVER_SQRT_PI_MINUS_1 * x)
                        : x + TWO_OVER_SQRT_PI_MINUS_1 * x;
            }
            return x + x * nearZero(x * x);
        }
        if (a < TAIL) {
            double r = nearOne(a - 1);
            return x > 0 ? ERF_1 + r : -ERF_1 - r;
        }
        double tail = complementTimesX(a) / a;
        return x > 0 ? 1 - tail : tail - 1;
    }

    /** (erf(x) - x) / x on |x| < 0.84375, as a function of z = x². */
    private static double nearZero(double z) {
        double p = 0x1.06eba8214db68p-3 + z * (-0x1.4cd7d691cb913p-2 + z * (-0x1.d2a51dbd7194fp-6
                + z * (-0x1.7a291236668e4p-8 + z * -0x1.8ead6120016acp-16)));
        double q = 1 + z * (0x1.97779cddadc09p-2 + z * (0x1.0a54c5536cebap-4 + z * (0x1.4d022c4d36b0fp-8
                + z * (0x1.15dc9221c1a10p-13 + z * -0x1.09c4342a26120p-18))));
        return p / q;
    }

    /** erf(1 + s) - ERF_1 on 0.84375 ≤ 1 + s < 1.25. */
    private static double nearOne(double s) {
        double p = -0x1.359b8bef77538p-9 + s * (0x1.a8d00ad92b34dp-2 + s * (-0x1.7d240fbb8c3f1p-2
                + s * (0x1.45fca805120e4p-2 + s * (-0x1.c63983d3e28ecp-4 + s * (0x1.22a36599795ebp-5
                + s * -0x1.1bf380a96073fp-9)))));
        double q = 1 + s * (0x1.b3e6618eee323p-4 + s * (0x1.14af092eb6f33p-1 + s * (0x1.2635cd99fe9a7p-4
                + s * (0x1.02660e763351fp-3 + s * (0x1.bedc26b51dd1cp-7 + s * 0x1.88b545735151dp-7)))));
        return p / q;
    }

    /** x·erfc(x) for 1.25 ≤ x < 6. */
    private static double complementTimesX(double x) {
        double s = 1 / (x * x);
        double r;
        double q;
        if (x < FAR_TAIL) {
            r = -0x1.43412600d6435p-7 + s * (-0x1.63416e4ba7360p-1 + s * (-0x1.51e0441b0e726p+3
                    + s * (-0x1.f300ae4cba38dp+5 + s * (-0x1.44cb184282266p+7 + s * (-0x1.7135cebccabb2p+7
                    + s * (-0x1.4526557e4d2f2p+6 + s * -0x1.3a0efc69ac25cp+3))))));
            q = 1 + s * (0x1.3a6b9bd707687p+4 + s * (0x1.1350c526ae721p+7 + s * (0x1.b290dd58a1a71p+8
                    + s * (0x1.42b1921ec2868p+9 + s * (0x1.ad02157700314p+8 + s * (0x1.b28a3ee48ae2cp+6
                    + s * (0x1.a47ef8e484a93p+2 + s * -0x1.eeff2ee749a62p-5)))))));
        } else {
            r = -0x1.4341239e86f4ap-7 + s * (-0x1.993ba70c285dep-1 + s * (-0x1.1c209555f995ap+4
                    + s * (-0x1.4145d43c5ed98p+7 + s * (-0x1.3ec881375f228p+9 + s * (-0x1.004616a2e5992p+10
                    + s * -0x1.e384e9bdc383fp+8)))));
            q = 1 + s * (0x1.e568b261d5190p+4 + s * (0x1.45cae221b9f0ap+8 + s * (0x1.802eb189d5118p+10
                    + s * (0x1.8ffb7688c246ap+11 + s * (0x1.3f219cedf3be6p+11 + s * (0x1.da874e79fe763p+8
                    + s * -0x1.670e242712d62p+4))))));
        }
        // exp(-x²) split as exp(-h²)·exp((h - x)(h + x)) with h = x cut to 21 bits, so h² is exact
        double h = Double.longBitsToDouble(Double.doubleToRawLongBits(x) & 0xFFFFFFFF00000000L);
        return Math.exp(-h * h - 0.5625) * Math.exp((h - x) * (h + x) + r / q);
    }
}
