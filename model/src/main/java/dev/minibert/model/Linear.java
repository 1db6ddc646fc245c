package dev.minibert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** y = x W^T + b with W in HuggingFace layout [out,in]; gemm's transpose flag avoids a copy. */
public final class Linear {
    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;
    private INDArray input;
    private INDArray output;
    private INDArray inputGrad;
    private INDArray ones; // [N,1]

    public Linear(ParameterStore store, String name, int in, int out) {
        this.in = in;
        this.out = out;
        this.weight = store.add(name + ".weight", out, in);
        this.bias = store.add(name + ".bias", out);
    }

    /** x: [N,in] → [N,out]; x is kept for backward and must not change before it. */
    public INDArray forward(INDArray x) {
        if (x.rank() != 2 || x.columns() != in) {
            throw new IllegalArgumentException(weight.name() + ": expected input [N," + in + "], got "
                    + Arrays.toString(x.shape()));
        }
        input = x;
        output = Scratch.reuse(output, x.dataType(), x.rows(), out);
        // the bias as a rank-1 gemm (ones[N,1] · b[1,out]), then x·Wᵀ accumulated onto it: two BLAS calls
        // instead of an ND4J broadcast, which costs more than the gemm itself on these shapes
        ones = Scratch.ones(ones, x.dataType(), x.rows());
        Nd4j.gemm(ones, bias.value().reshape(1, out), output, false, false, 1.0, 0.0);
        Nd4j.gemm(x, weight.value(), output, false, true, 1.0, 1.0);
        return output;
    }

    /** dy: [N,out]; adds dW = dy^T x and db = Σ_rows dy into the gradients, returns dx = dy W [N,in]. */
    public INDArray backward(INDArray dy) {
        Nd4j.gemm(dy, input, weight.grad(), true, false, 1.0, 1.0);
        Nd4j.gemm(ones, dy, bias.grad().reshape(1, out), true, false, 1.0, 1.0); // Σ_rows dy, by BLAS
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), dy.rows(), in);
        Nd4j.gemm(dy, weight.value(), inputGrad, false, false, 1.0, 0.0);
        return inputGrad;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }
}
