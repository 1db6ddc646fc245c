package dev.minibert.pretrain;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Gelu;
import dev.minibert.model.LayerNorm;
import dev.minibert.model.Linear;
import dev.minibert.model.ParameterStore;
import org.nd4j.linalg.api.ndarray.INDArray;

/** HF's BertPredictionHeadTransform ({@code cls.predictions.transform.*}): y = LN(GELU(dense(x))), [M,H] → [M,H]. */
final class BertPredictionHeadTransform {
    private final Linear dense;
    private final Gelu gelu;
    private final LayerNorm layerNorm;

    BertPredictionHeadTransform(BertConfig config, ParameterStore store) {
        int h = config.hiddenSize;
        dense = new Linear(store, "cls.predictions.transform.dense", h, h);
        gelu = new Gelu(store.kernels());
        layerNorm = new LayerNorm(store, "cls.predictions.transform.LayerNorm", h, config.layerNormEps);
    }

    /** x → y; without keepForBackward (noGrad) the LayerNorm keeps no xHat and {@link #backward} refuses. */
    INDArray forward(INDArray x, boolean keepForBackward) {
        return layerNorm.forward(gelu.forward(dense.forward(x)), keepForBackward);
    }

    /** dy → dx, the three lines inverted in reverse order. */
    INDArray backward(INDArray dy) {
        return dense.backward(gelu.backward(layerNorm.backward(dy)));
    }
}
