package dev.minibert.model;

import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One trainable tensor under its HuggingFace name, with the gradient buffer its backward passes
 * accumulate into. Linear weights are held in HF layout [out,in]; gemm transpose flags avoid copies.
 *
 * <p>The gradient is allocated (zero-filled) on the first {@link #grad()} call, not with the value: inference
 * (embed, predict, serve, bench infer) never asks for it, and its zeros were as many resident bytes as the weights
 * (#24: 13 MB of L12 H128's peak, 94 MB of bge-small's).
 */
public final class Parameter {
    private final String name;
    private final INDArray value;
    private final Supplier<INDArray> newGrad;
    private volatile INDArray grad;

    /** newGrad: called once, on the first {@link #grad()}, for a zero array of value's shape. */
    Parameter(String name, INDArray value, Supplier<INDArray> newGrad) {
        this.name = name;
        this.value = value;
        this.newGrad = newGrad;
    }

    public String name() {
        return name;
    }

    public INDArray value() {
        return value;
    }

    /** Gradient of the loss with respect to {@link #value()}; backward passes add into it. Zeros when first asked. */
    public INDArray grad() {
        INDArray g = grad;
        if (g == null) {
            synchronized (this) {
                g = grad;
                if (g == null) {
                    g = newGrad.get();
                    if (g.dataType() != value.dataType() || !g.equalShapes(value)) {
                        throw new IllegalStateException(name + ": gradient " + g.shapeInfoToString()
                                + " is not of the value's type and shape " + value.shapeInfoToString());
                    }
                    grad = g;
                }
            }
        }
        return g;
    }

    /** Whether {@link #grad()} has allocated the gradient yet (for tests). */
    boolean hasGrad() {
        return grad != null;
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
