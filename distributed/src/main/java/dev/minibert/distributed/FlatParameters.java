package dev.minibert.distributed;

import dev.minibert.model.FlatView;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import java.nio.FloatBuffer;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A store's parameters or gradients as one float array, parameter after parameter in the store's order and each in
 * row-major order: what travels between the driver and the workers, whose stores are built alike. Copied through
 * the arrays' NIO buffers (ND4J's flatten and slice ops took ~9x longer for 3.2M floats).
 */
final class FlatParameters {
    private FlatParameters() {
    }

    static float[] values(ParameterStore store) {
        return flatten(store, Parameter::value);
    }

    static float[] gradients(ParameterStore store) {
        return flatten(store, Parameter::grad);
    }

    private static float[] flatten(ParameterStore store, Function<Parameter, INDArray> array) {
        float[] flat = new float[Math.toIntExact(store.count())];
        int at = 0;
        for (Parameter p : store) {
            INDArray x = array.apply(p);
            buffer(x).get(Math.toIntExact(x.offset()), flat, at, (int) x.length());
            at += (int) x.length();
        }
        return flat;
    }

    /** Sets every parameter's value from {@code flat}. */
    static void setValues(ParameterStore store, float[] flat) {
        requireLength(store, flat);
        int at = 0;
        for (Parameter p : store) {
            INDArray x = p.value();
            buffer(x).put(Math.toIntExact(x.offset()), flat, at, (int) x.length());
            at += (int) x.length();
        }
    }

    /** Adds {@code flat} into every parameter's gradient, one float addition per element (as ND4J's addi). */
    static void addGradients(ParameterStore store, float[] flat) {
        requireLength(store, flat);
        int at = 0;
        for (Parameter p : store) {
            INDArray x = p.grad();
            FloatBuffer b = buffer(x);
            int offset = Math.toIntExact(x.offset());
            for (int i = 0; i < x.length(); i++) {
                b.put(offset + i, b.get(offset + i) + flat[at + i]);
            }
            at += (int) x.length();
        }
    }

    private static FloatBuffer buffer(INDArray x) {
        // a vector is contiguous whatever ordering ND4J gave it (biases and LayerNorm parameters are 'f' vectors)
        if (!(x.rank() == 1 ? x.stride(0) == 1 : FlatView.isPlain(x))) {
            throw new IllegalStateException("a parameter that is not a dense row-major array: " + x.shapeInfoToString());
        }
        return x.data().asNioFloat();
    }

    private static void requireLength(ParameterStore store, float[] flat) {
        if (flat.length != store.count()) {
            throw new IllegalArgumentException(flat.length + " values for a model of " + store.count()
                    + " parameters: the driver and the worker built different models");
        }
    }
}
