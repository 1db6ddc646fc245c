package dev.minibert.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import dev.minibert.model.kernels.Kernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every parameter of a model, in registration order, under its HuggingFace name. */
public final class ParameterStore implements Iterable<Parameter> {
    private final DataType dataType;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final Kernels kernels;
    private volatile boolean frozen;

    public ParameterStore(DataType dataType) {
        if (!dataType.isFPType()) {
            throw new IllegalArgumentException("parameters must be floating point, got " + dataType);
        }
        this.dataType = dataType;
        this.kernels = Kernels.forType(dataType);
    }

    public DataType dataType() {
        return dataType;
    }

    /** The kernel backend of the model these parameters belong to, chosen once from the data type. */
    public Kernels kernels() {
        return kernels;
    }

    /** Registers a zero-filled parameter (and its zero gradient, allocated when first asked for); names are unique. */
    public Parameter add(String name, long... shape) {
        long[] gradShape = shape.clone();
        return add(name, Nd4j.zeros(dataType, shape), () -> Nd4j.zeros(dataType, gradShape));
    }

    /**
     * Registers memory a layer laid out itself (a view into a larger array, e.g. a row block of a stacked weight);
     * grad makes the gradient, of value's type and shape, on the parameter's first {@link Parameter#grad()}.
     */
    Parameter add(String name, INDArray value, Supplier<INDArray> grad) {
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("parameter registered twice: " + name);
        }
        if (value.dataType() != dataType) {
            throw new IllegalArgumentException(name + ": value " + value.shapeInfoToString() + " must be " + dataType);
        }
        Parameter p = new Parameter(name, value, grad);
        byName.put(name, p);
        return p;
    }

    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return p;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public List<Parameter> all() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public int size() {
        return byName.size();
    }

    public long count() {
        long n = 0;
        for (Parameter p : byName.values()) {
            n += p.value().length();
        }
        return n;
    }

    /**
     * Marks these parameters as inference's from now on: their values must not change again. {@link Linear} then
     * multiplies by its weight packed once for oneDNN ({@link PackedWeight}), and the optimizer refuses the store.
     * Loaders of a model for prediction, embedding or serving call it once the weights are in.
     */
    public void freeze() {
        frozen = true;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** Zeroes every gradient, allocating those not asked for yet (training's first step). */
    public void zeroGrad() {
        for (Parameter p : byName.values()) {
            p.grad().assign(0);
        }
    }

    @Override
    public Iterator<Parameter> iterator() {
        return Collections.unmodifiableCollection(byName.values()).iterator();
    }
}
