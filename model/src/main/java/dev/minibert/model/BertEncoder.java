package dev.minibert.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A stack of {@link BertLayer}s; pre-norm adds a final LayerNorm ({@code bert.final_layer_norm}, as the peer). */
public final class BertEncoder {
    private final List<BertLayer> layers = new ArrayList<>();
    private final LayerNorm finalLayerNorm; // null in post-norm
    private final double[] gradNorms;
    private final MemoryPlan memory; // which layers' arrays share memory, in training and under noGrad

    /** prefix: the model's, e.g. "bert.". */
    public BertEncoder(ParameterStore store, String prefix, BertConfig config) {
        for (int i = 0; i < config.numHiddenLayers; i++) {
            layers.add(new BertLayer(store, prefix + "encoder.layer." + i + ".", config));
        }
        finalLayerNorm = config.normStyle == BertConfig.NormStyle.PRE
                ? new LayerNorm(store, prefix + "final_layer_norm", config.hiddenSize, config.layerNormEps)
                : null;
        gradNorms = new double[config.numHiddenLayers + 1];
        memory = new MemoryPlan(config, layers.stream().map(BertLayer::slots).toList(),
                layers.stream().map(BertLayer::outputSlot).toList(),
                layers.stream().map(BertLayer::geluInputSlot).toList(),
                layers.stream().map(BertLayer::geluOutputSlot).toList(),
                finalLayerNorm == null ? List.of() : finalLayerNorm.slots());
    }

    /**
     * x: [N,H], maskBias: [B,T] → [N,H]. Without {@code keepForBackward} every layer reuses the buffers of the one
     * before, but for its output, which layer i+2 reuses (layer i+1 has consumed it by then), so memory does not grow
     * with depth: see {@link MemoryPlan}.
     */
    public INDArray forward(INDArray x, INDArray maskBias, boolean training, boolean keepForBackward) {
        return forward(x, maskBias, training, keepForBackward, null);
    }

    /**
     * As {@link #forward(INDArray, INDArray, boolean, boolean)}; with {@code selected} (not null) → [M,H], the last
     * layer's output at the selected tokens alone: the last layer computes keys and values for every token and all
     * else for M rows, and {@link #backward} takes dy [M,H]. Under noGrad each row has the bits of the whole forward's
     * row where {@link Gemm#isBatchInvariant()}.
     */
    INDArray forward(INDArray x, INDArray maskBias, boolean training, boolean keepForBackward,
                     SelectedTokens selected) {
        int last = layers.size() - 1;
        for (int i = 0; i <= last; i++) {
            memory.beforeForward(i, keepForBackward);
            x = layers.get(i).forward(x, maskBias, i == last ? selected : null, training, keepForBackward);
        }
        return finalLayerNorm == null ? x : finalLayerNorm.forward(x, keepForBackward);
    }

    /**
     * dy: [N,H] ([M,H] after a forward of selected tokens) → dx [N,H]; records the gradient norm at every layer's
     * input and at the last layer's output.
     */
    public INDArray backward(INDArray dy) {
        INDArray g = finalLayerNorm == null ? dy : finalLayerNorm.backward(dy);
        gradNorms[layers.size()] = VectorNorm.l2(g);
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g);
            gradNorms[i] = VectorNorm.l2(g);
        }
        return g;
    }

    /**
     * ‖∂L/∂x_i‖ from the last backward: index i < L is layer i's input, index L the last layer's output
     * (before the pre-norm final LayerNorm).
     */
    public double[] layerInputGradNorms() {
        return gradNorms.clone();
    }

    /** The bytes its memory plan declares for a forward at B and T (and the backward after it, if kept). */
    long plannedBytes(int batch, int seqLen, DataType type, boolean training, boolean keepForBackward) {
        return memory.bytes(batch, seqLen, type, training, keepForBackward);
    }

    public int numLayers() {
        return layers.size();
    }

    void reseedDropout(SplittableRandom seeds) {
        layers.forEach(l -> l.reseedDropout(seeds));
    }
}
