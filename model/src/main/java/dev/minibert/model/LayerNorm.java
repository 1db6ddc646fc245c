package dev.minibert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.ops.transforms.Transforms;

/** LayerNorm over the last axis of [N,H]: y = (x - mean) / sqrt(var + eps) * gamma + beta. */
public final class LayerNorm {
    private final Parameter gamma;
    private final Parameter beta;
    private final int hidden;
    private final double eps;
    private INDArray normalized; // x̂ [N,H], kept for backward
    private INDArray rstd;       // 1/sqrt(var+eps) [N,1], kept for backward
    private INDArray output;
    private INDArray inputGrad;
    private INDArray product;

    public LayerNorm(ParameterStore store, String name, int hidden, double eps) {
        this.hidden = hidden;
        this.eps = eps;
        this.gamma = store.add(name + ".weight", hidden);
        this.beta = store.add(name + ".bias", hidden);
    }

    public INDArray forward(INDArray x) {
        if (x.rank() != 2 || x.columns() != hidden) {
            throw new IllegalArgumentException(gamma.name() + ": expected input [N," + hidden + "], got "
                    + Arrays.toString(x.shape()));
        }
        long n = x.rows();
        normalized = Scratch.reuse(normalized, x.dataType(), n, hidden);
        // [N,H] op [N,1] broadcasts; ND4J's *ColumnVector ops are ~10x slower on small arrays
        x.sub(x.mean(true, 1), normalized);
        // biased variance, as torch: ||x - mean||² / H
        INDArray norm = normalized.norm2(true, 1);
        rstd = Transforms.pow(norm.muli(norm).divi(hidden).addi(eps), -0.5, false);
        normalized.muli(rstd);
        output = Scratch.reuse(output, x.dataType(), n, hidden);
        Broadcast.mul(normalized, gamma.value(), output, 1);
        return Broadcast.add(output, beta.value(), output, 1);
    }

    /** dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) with dx̂ = dy · gamma. */
    public INDArray backward(INDArray dy) {
        long n = dy.rows();
        product = Scratch.reuse(product, dy.dataType(), n, hidden);
        gamma.grad().addi(dy.mul(normalized, product).sum(0));
        beta.grad().addi(dy.sum(0));

        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), n, hidden);
        Broadcast.mul(dy, gamma.value(), inputGrad, 1);
        INDArray meanGrad = inputGrad.mean(true, 1);
        INDArray meanGradDotX = inputGrad.mul(normalized, product).mean(true, 1);
        normalized.mul(meanGradDotX, product);
        return inputGrad.subi(meanGrad).subi(product).muli(rstd);
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }
}
