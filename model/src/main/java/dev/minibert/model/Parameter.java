package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One trainable tensor under its HuggingFace name, with the gradient buffer its backward passes
 * accumulate into. Linear weights are held in HF layout [out,in]; gemm transpose flags avoid copies.
 */
public final class Parameter {
    private final String name;
    private final INDArray value;
    private final INDArray grad;

    Parameter(String name, INDArray value, INDArray grad) {
        this.name = name;
        this.value = value;
        this.grad = grad;
    }

    public String name() {
        return name;
    }

    public INDArray value() {
        return value;
    }

    /** Gradient of the loss with respect to {@link #value()}; backward passes add into it. */
    public INDArray grad() {
        return grad;
    }

    /** BERT's recipe: weight decay on matrices only, never on biases or LayerNorm parameters. */
    public boolean decays() {
        return !(name.endsWith(".bias") || isLayerNorm(name));
    }

    /** HF names LayerNorms "LayerNorm"; the peer's pre-norm final one is "final_layer_norm". */
    public static boolean isLayerNorm(String name) {
        return name.contains("LayerNorm") || name.contains("layer_norm");
    }

    public long[] shape() {
        return value.shape();
    }
}
