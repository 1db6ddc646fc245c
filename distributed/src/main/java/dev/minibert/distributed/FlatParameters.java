package dev.minibert.distributed;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A store's parameters or gradients as one float array, parameter after parameter in the store's order and each in
 * row-major order: what travels between the driver and the workers, whose stores are built alike.
 */
final class FlatParameters {
    private FlatParameters() {
    }

    static float[] values(ParameterStore store) {
        return flatten(store, false);
    }

    static float[] gradients(ParameterStore store) {
        return flatten(store, true);
    }

    private static float[] flatten(ParameterStore store, boolean gradients) {
        List<INDArray> arrays = new ArrayList<>(store.size());
        for (Parameter p : store) {
            arrays.add(gradients ? p.grad() : p.value());
        }
        return Nd4j.toFlattened('c', arrays).toFloatVector();
    }

    /** Sets every parameter's value from {@code flat}. */
    static void setValues(ParameterStore store, float[] flat) {
        requireLength(store, flat);
        int offset = 0;
        for (Parameter p : store) {
            p.value().assign(slice(flat, offset, p));
            offset += (int) p.value().length();
        }
    }

    /** Adds {@code flat} into every parameter's gradient (one float addition per element). */
    static void addGradients(ParameterStore store, float[] flat) {
        requireLength(store, flat);
        int offset = 0;
        for (Parameter p : store) {
            p.grad().addi(slice(flat, offset, p));
            offset += (int) p.grad().length();
        }
    }

    private static INDArray slice(float[] flat, int offset, Parameter p) {
        float[] part = new float[(int) p.value().length()];
        System.arraycopy(flat, offset, part, 0, part.length);
        return Nd4j.create(part, p.shape(), 'c');
    }

    private static void requireLength(ParameterStore store, float[] flat) {
        if (flat.length != store.count()) {
            throw new IllegalArgumentException(flat.length + " values for a model of " + store.count()
                    + " parameters: the driver and the worker built different models");
        }
    }
}
