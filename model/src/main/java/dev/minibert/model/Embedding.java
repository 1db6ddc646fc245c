package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A lookup table [num,dim] (HF's nn.Embedding):
 * <pre>
 *   y[n] = weight[ids[n]]            forward: a row gather
 *   dWeight[ids[n]] += dy[n]         backward: a scatter-add, repeated ids adding up (never a one-hot product)
 * </pre>
 */
public final class Embedding {
    private final Parameter weight;
    private final String name;
    private final int num;
    private final int dim;
    private final Kernels kernels;
    private int[] ids;     // [N], kept for backward
    private INDArray output;

    public Embedding(ParameterStore store, String name, int num, int dim) {
        this.name = name;
        this.num = num;
        this.dim = dim;
        this.weight = store.add(name + ".weight", num, dim);
        this.kernels = store.kernels();
    }

    /** ids: [N] → rows [N,dim]. */
    public INDArray forward(int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= num) {
                throw new IllegalArgumentException("id " + ids[i] + " at position " + i + " is out of range for "
                        + name + " (" + num + " rows)");
            }
        }
        this.ids = ids.clone();
        output = Scratch.reuse(output, weight.value().dataType(), ids.length, dim);
        kernels.gatherRows(weight.value(), ids, output);
        return output;
    }

    /** dy: [N,dim]; grad[ids[n]] += dy[n], repeated ids adding up. */
    public void backward(INDArray dy) {
        kernels.scatterAddRows(weight.grad(), ids, dy);
    }

    public Parameter weight() {
        return weight;
    }
}
