package dev.minibert.model.kernels;

import static dev.minibert.model.kernels.FloatLanes.*;

import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GELU's erf form x·Φ(x) and its derivative on float vectors, not the tanh approximation. erf is Abramowitz &
 * Stegun 7.1.26 (|error| ≤ 1.5e-7, so Φ is within 7.5e-8 absolute) over {@link FloatLanes}' exp; the negative side
 * is computed as the small tail itself, not as 1 − (1 − q), so no cancellation adds to its error.
 */
final class FastGelu {
    // Abramowitz & Stegun 7.1.26: erf(a) = 1 - t·P(t)·exp(-a²), t = 1/(1 + p·a), for a ≥ 0; |error| ≤ 1.5e-7
    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f;
    private static final float A2 = -0.284496736f;
    private static final float A3 = 1.421413741f;
    private static final float A4 = -1.453152027f;
    private static final float A5 = 1.061405429f;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

    /** out = x·Φ(x), GELU's erf form. */
    static void gelu(INDArray x, INDArray out) {
        ByteBuffer in = bytes(x);
        ByteBuffer o = bytes(out);
        int inBase = base(x);
        int oBase = base(out);
        forElements((int) x.length(), (from, to) -> {
            int vectorEnd = from + SPECIES.loopBound(to - from);
            geluVectors(in, inBase, o, oBase, from, vectorEnd);
            for (int i = vectorEnd; i < to; i++) {
                float v = get(in, inBase, i);
                put(o, oBase, i, v * cdf(v * INV_SQRT2));
            }
        });
    }

    private static void geluVectors(ByteBuffer in, int inBase, ByteBuffer o, int oBase, int from, int to) {
        for (int i = from; i < to; i += LANES) {
            FloatVector v = load(in, inBase, i);
            FloatVector u = v.mul(INV_SQRT2);
            v.mul(cdf(u, gaussian(u))).intoByteBuffer(o, oBase + i * Float.BYTES, ORDER);
        }
    }

    /** dx = dy · (Φ(x) + x·φ(x)), Φ recomputed from x rather than kept from the forward. */
    static void geluBackward(INDArray x, INDArray dy, INDArray dx) {
        ByteBuffer in = bytes(x);
        ByteBuffer up = bytes(dy);
        ByteBuffer o = bytes(dx);
        int inBase = base(x);
        int upBase = base(dy);
        int oBase = base(dx);
        forElements((int) x.length(), (from, to) -> {
            int vectorEnd = from + SPECIES.loopBound(to - from);
            geluGradVectors(in, inBase, up, upBase, o, oBase, from, vectorEnd);
            for (int i = vectorEnd; i < to; i++) {
                float v = get(in, inBase, i);
                float u = v * INV_SQRT2;
                float e = exp(-u * u);
                put(o, oBase, i, Math.fma(v * INV_SQRT_2PI, e, cdf(u, e)) * get(up, upBase, i));
            }
        });
    }

    private static void geluGradVectors(ByteBuffer in, int inBase, ByteBuffer up, int upBase, ByteBuffer o, int oBase,
                                        int from, int to) {
        for (int i = from; i < to; i += LANES) {
            FloatVector v = load(in, inBase, i);
            FloatVector g = load(up, upBase, i);
            FloatVector u = v.mul(INV_SQRT2);
            FloatVector e = gaussian(u); // exp(-x²/2) = exp(-u²), shared by Φ and φ
            v.mul(INV_SQRT_2PI).fma(e, cdf(u, e)).mul(g).intoByteBuffer(o, oBase + i * Float.BYTES, ORDER);
        }
    }

    private static FloatVector gaussian(FloatVector u) {
        return exp(u.mul(u).neg());
    }

    /** Φ(x) = (1 + erf(u))/2 at u = x/√2, given e = exp(-u²); the negative side as q itself, not 1 - (1 - q). */
    private static FloatVector cdf(FloatVector u, FloatVector e) {
        FloatVector a = u.abs();
        FloatVector t = ONE.div(a.mul(P).add(1f));
        FloatVector poly = t.fma(A5, A4).fma(t, FloatVector.broadcast(SPECIES, A3)).fma(t, FloatVector.broadcast(SPECIES, A2))
                .fma(t, FloatVector.broadcast(SPECIES, A1)).mul(t);
        FloatVector q = poly.mul(e).mul(0.5f); // (1 - erf(|u|))/2
        VectorMask<Float> positive = u.compare(VectorOperators.GE, 0f);
        return q.blend(ONE.sub(q), positive);
    }

    /** Φ at u = x/√2, scalar. */
    private static float cdf(float u) {
        return cdf(u, exp(-u * u));
    }

    private static float cdf(float u, float e) {
        float t = 1 / (1 + P * Math.abs(u));
        float q = Math.fma(Math.fma(Math.fma(Math.fma(t, A5, A4), t, A3), t, A2), t, A1) * t * e * 0.5f;
        return u >= 0 ? 1 - q : q;
    }

    private FastGelu() {
    }
}
