package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * GELU in BERT's exact erf form, x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)) (not the tanh approximation, which
 * ND4J's GELU ops use); d/dx = Φ(x) + x·φ(x). The forward is one pass (see {@link FlatView}) computed in
 * double and stored in the array's type; the backward is two passes around ND4J's exp.
 */
public final class Gelu {
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private INDArray input;
    private INDArray cdf; // Φ(x), kept for backward
    private INDArray output;
    private INDArray inputGrad;

    /** x is kept for backward (a view is copied first, see {@link FlatView#plain}) and must not change before it. */
    public INDArray forward(INDArray x) {
        input = FlatView.plain(x);
        cdf = Scratch.reuse(cdf, x.dataType(), x.shape());
        output = Scratch.reuse(output, x.dataType(), x.shape());
        FlatView in = FlatView.of(input);
        FlatView phi = FlatView.of(cdf);
        FlatView out = FlatView.of(output);
        for (int i = 0, n = (int) x.length(); i < n; i++) {
            double v = in.get(i);
            double p = 0.5 * (1 + Erf.erf(v * INV_SQRT2));
            phi.set(i, p);
            out.set(i, v * p);
        }
        return output;
    }

    public INDArray backward(INDArray dy) {
        if (dy.length() != input.length()) {
            throw new IllegalArgumentException("GELU backward: dy has " + dy.length() + " elements, the input had "
                    + input.length());
        }
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), dy.shape());
        FlatView in = FlatView.of(input);
        FlatView dx = FlatView.of(inputGrad);
        int n = (int) dy.length();
        for (int i = 0; i < n; i++) {
            double v = in.get(i);
            dx.set(i, -0.5 * v * v);
        }
        // exp(-x²/2) by ND4J: its exp is vectorized, while Math.exp one element at a time cost twice the
        // whole ND4J op chain this backward replaced (measured in GeluBench)
        Transforms.exp(inputGrad, false);
        FlatView upstream = FlatView.of(FlatView.plain(dy));
        FlatView phi = FlatView.of(cdf);
        for (int i = 0; i < n; i++) {
            double v = in.get(i);
            dx.set(i, upstream.get(i) * (phi.get(i) + v * dx.get(i) * INV_SQRT_2PI));
        }
        return inputGrad;
    }
}
