package dev.minibert.finetune;

import dev.minibert.model.train.GradientProbe;
import java.util.function.ToDoubleFunction;

/**
 * Per-parameter learning-rate multipliers for finetuning: layer-wise decay (layer i of L gets
 * decay^(L−i), the embeddings decay^(L+1), heads 1, as in ULMFiT/ELECTRA recipes) and freezing of the
 * embeddings plus the first K layers (multiplier 0: no update and no weight decay).
 */
final class LayerwiseLr {
    private LayerwiseLr() {
    }

    static ToDoubleFunction<String> scales(int numLayers, int freezeLayers, double decay) {
        if (freezeLayers < 0 || freezeLayers > numLayers) {
            throw new IllegalArgumentException("--freeze-layers must be in [0, " + numLayers + "], got " + freezeLayers);
        }
        if (!(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("--layerwise-lr-decay must be in (0, 1], got " + decay);
        }
        return name -> {
            String group = GradientProbe.groupOf(name);
            int depth; // 0 = embeddings, i+1 = layer.i
            if (group.equals("embeddings")) {
                depth = 0;
            } else if (group.startsWith("layer.")) {
                depth = Integer.parseInt(group.substring("layer.".length())) + 1;
            } else {
                return 1.0; // pooler, final LayerNorm, classifier
            }
            if (freezeLayers > 0 && depth <= freezeLayers) {
                return 0.0;
            }
            return Math.pow(decay, numLayers + 1 - depth);
        };
    }
}
