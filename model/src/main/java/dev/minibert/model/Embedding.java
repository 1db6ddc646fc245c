package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A lookup table [num,dim]; backward scatter-adds rows into the gradient (never a one-hot product). */
public final class Embedding {
    private final Parameter weight;
    private final String name;
    private final int num;
    private final int dim;
    private int[] ids;     // [N], kept for backward
    private INDArray output;

    public Embedding(ParameterStore store, String name, int num, int dim) {
        this.name = name;
        this.num = num;
        this.dim = dim;
        this.weight = store.add(name + ".weight", num, dim);
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
        Nd4j.pullRows(weight.value(), output, 1, ids);
        return output;
    }

    /** dy: [N,dim]; grad[ids[n]] += dy[n], repeated ids adding up. */
    public void backward(INDArray dy) {
        ScatterAdd.rows(weight.grad(), ids, dy);
    }

    public Parameter weight() {
        return weight;
    }
}
