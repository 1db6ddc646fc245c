package dev.minibert.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The feed-forward block's expansion: GELU(dense(x)), [N,H] → [N,I]. */
public final class BertIntermediate {
    private final Linear dense;
    private final Gelu gelu;

    public BertIntermediate(ParameterStore store, String prefix, BertConfig config) {
        this.dense = new Linear(store, prefix + "dense", config.hiddenSize, config.intermediateSize);
        this.gelu = new Gelu(store.kernels(), "N,I");
    }

    /** The arrays its dense and GELU write. */
    List<Slot> slots() {
        return Slot.all(dense.slots(), gelu.slots());
    }

    Linear dense() {
        return dense;
    }

    Slot denseOutputSlot() {
        return dense.outputSlot();
    }

    Slot geluOutputSlot() {
        return gelu.outputSlot();
    }

    public INDArray forward(INDArray x) {
        INDArray fused = dense.forwardWithGelu(x); // a frozen model's
        return fused != null ? fused : gelu.forward(dense.forward(x));
    }

    public INDArray backward(INDArray dy) {
        return dense.backward(gelu.backward(dy));
    }
}
