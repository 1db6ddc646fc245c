package dev.minibert.model;

import java.util.Random;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT's initialization: truncated normal N(0, std²) cut at ±2·std for Linear and Embedding
 * weights (as torch trunc_normal_(a=-2σ, b=2σ)), zero biases, LayerNorm gamma 1 and beta 0.
 * Parameters are filled in registration order from one generator, so a seed fixes the model.
 */
public final class Initializer {
    /** Draws per block written into a parameter: 128 KB of heap, whatever the parameter's size. */
    private static final int BLOCK = 1 << 14;

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
                set(value, () -> (2 * random.nextDouble() - 1) * bound);
            } else {
                set(value, () -> {
                    double z;
                    do {
                        z = random.nextGaussian();
                    } while (Math.abs(z) > 2);
                    return z * std;
                });
            }
        }
    }

    /**
     * Stores the generator's next value.length() draws, in row-major order, rounded to the value's type. Written in
     * blocks straight into the parameter's memory: a whole double[] on the heap, then a double and a cast copy off
     * it (left to the garbage collector), were ~3 times the word embeddings' bytes at startup (#24).
     */
    private static void set(INDArray value, DoubleSupplier next) {
        long length = value.length();
        if (!FlatView.isPlain(value)) { // not so for any parameter the model registers; kept correct regardless
            double[] v = new double[Math.toIntExact(length)];
            for (int i = 0; i < v.length; i++) {
                v[i] = next.getAsDouble();
            }
            try (INDArray doubles = Nd4j.createFromArray(v)) {
                value.assign(doubles.reshape(value.shape()));
            }
            return;
        }
        if (length == 0) {
            return;
        }
        FlatView into = FlatView.of(value);
        double[] block = new double[(int) Math.min(length, BLOCK)];
        for (int from = 0; from < length; from += block.length) {
            if (length - from < block.length) {
                block = new double[(int) (length - from)];
            }
            for (int i = 0; i < block.length; i++) {
                block[i] = next.getAsDouble();
            }
            into.write(from, block);
        }
    }
}
