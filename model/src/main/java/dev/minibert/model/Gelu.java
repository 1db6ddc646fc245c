package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * GELU in BERT's exact erf form, x·Φ(x) (not the tanh approximation, which ND4J's GELU ops use).
 * d/dx = Φ(x) + x·φ(x).
 */
public final class Gelu {
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private INDArray input;
    private INDArray cdf; // Φ(x), kept for backward by the ND4J path (the vector kernel recomputes it)
    private INDArray output;
    private INDArray inputGrad;

    public INDArray forward(INDArray x) {
        if (VectorSupport.serves(x)) {
            input = FlatView.plain(x);
            output = Scratch.reuse(output, x.dataType(), x.shape());
            VectorKernels.gelu(input, output);
            return output;
        }
        input = x;
        cdf = Scratch.reuse(cdf, x.dataType(), x.shape());
        Nd4j.exec(new Erf(x.mul(INV_SQRT2, cdf), cdf));
        cdf.addi(1).muli(0.5);
        output = Scratch.reuse(output, x.dataType(), x.shape());
        return x.mul(cdf, output);
    }

    public INDArray backward(INDArray dy) {
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), dy.shape());
        if (VectorSupport.serves(input, dy)) {
            VectorKernels.geluBackward(input, FlatView.plain(dy), inputGrad);
            return inputGrad;
        }
        input.mul(input, inputGrad).muli(-0.5);
        Transforms.exp(inputGrad, false);
        return inputGrad.muli(input).muli(INV_SQRT_2PI).addi(cdf).muli(dy);
    }
}
