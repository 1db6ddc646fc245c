package dev.minibert.model;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT's initialization: truncated normal N(0, std²) cut at ±2·std for Linear and Embedding
 * weights (as torch trunc_normal_(a=-2σ, b=2σ)), zero biases, LayerNorm gamma 1 and beta 0.
 * Parameters are filled in registration order from one generator, so a seed fixes the model.
 */
public final class Initializer {
    private Initializer() {
    }

    public static void initialize(ParameterStore store, double std, long seed) {
        fill(store, std, seed, false);
    }

    /** Xavier-uniform U(±sqrt(6/(in+out))) for Linear weights, truncated normal for embeddings: the init-std experiment's baseline. */
    public static void xavier(ParameterStore store, double embeddingStd, long seed) {
        fill(store, embeddingStd, seed, true);
    }

    private static void fill(ParameterStore store, double std, long seed, boolean xavierLinear) {
        if (!(std > 0)) {
            throw new IllegalArgumentException("std must be > 0, got " + std);
        }
        Random random = new Random(seed);
        for (Parameter p : store) {
            String name = p.name();
            INDArray value = p.value();
            if (Parameter.isLayerNorm(name)) {
                value.assign(name.endsWith(".weight") ? 1 : 0);
            } else if (!name.endsWith(".weight")) {
                value.assign(0);
            } else if (xavierLinear && !name.endsWith("_embeddings.weight")) {
                double bound = Math.sqrt(6.0 / (value.size(0) + value.size(1)));
                double[] v = new double[(int) value.length()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (2 * random.nextDouble() - 1) * bound;
                }
                set(value, v);
            } else {
                double[] v = new double[(int) value.length()];
                for (int i = 0; i < v.length; i++) {
                    double z;
                    do {
                        z = random.nextGaussian();
                    } while (Math.abs(z) > 2);
                    v[i] = z * std;
                }
                set(value, v);
            }
        }
    }

    private static void set(INDArray value, double[] v) {
        value.assign(Nd4j.createFromArray(v).reshape(value.shape()).castTo(value.dataType()));
    }
}
