package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** y = x W^T + b with W in HuggingFace layout [out,in]; gemm's transpose flag avoids a copy. */
public final class Linear {
    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;
    private final Kernels kernels;
    private final ParameterStore store; // null for a decoder over tied weights: never frozen here
    private PackedWeight packed;        // the weight in oneDNN's layout, once the store is frozen
    private final Slot output;    // y [N,out]
    private final Slot inputGrad; // dx [N,in]
    private INDArray input;       // x [N,in], kept for backward

    public Linear(ParameterStore store, String name, int in, int out) {
        this(store.add(name + ".weight", out, in), store.add(name + ".bias", out), in, out, store);
    }

    /** Over parameters registered elsewhere: a decoder tied to the word embeddings, weight [V,H], shares them. */
    public static Linear over(Parameter weight, Parameter bias, Kernels kernels) {
        return new Linear(weight, bias, (int) weight.shape()[1], (int) weight.shape()[0], kernels, null);
    }

    private Linear(Parameter weight, Parameter bias, int in, int out, ParameterStore store) {
        this(weight, bias, in, out, store.kernels(), store);
    }

    private Linear(Parameter weight, Parameter bias, int in, int out, Kernels kernels, ParameterStore store) {
        this.kernels = kernels;
        this.store = store;
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.bias = bias;
        this.output = Slot.forward(weight.name() + ".y", "N," + out);
        this.inputGrad = Slot.backward(weight.name() + ".dx", "N," + in);
    }

    /** Its output y [N,out]: what an owner declares {@link Slot#passedOn()} where it is. */
    Slot outputSlot() {
        return output;
    }

    /** The arrays it writes: y [N,out] forward, dx [N,in] backward. */
    List<Slot> slots() {
        return List.of(output, inputGrad);
    }

    /**
     * Projections of one input stacked into one: outputs [N, names.length·out], weight [names.length·out, in]. The
     * attention's query, key and value so take one gemm forward and one per gradient backward instead of three each
     * (and their input gradients need no sum). The store still holds each under its own name, as a block of rows
     * of the stacked weight and of the stacked bias, so initialisation, checkpoints and AdamW see them as before.
     */
    static Linear stacked(ParameterStore store, int in, int out, String... names) {
        DataType type = store.dataType();
        long rows = (long) out * names.length;
        INDArray w = Nd4j.zeros(type, rows, in);
        INDArray b = Nd4j.zeros(type, rows);
        String name = String.join("+", names);
        // the gradients, like every parameter's, are allocated when first asked for (not under inference): the
        // stacked one then, and each block's a view of it
        Parameter weight = new Parameter(name + ".weight", w, () -> Nd4j.zeros(type, rows, in));
        Parameter bias = new Parameter(name + ".bias", b, () -> Nd4j.zeros(type, rows));
        for (int i = 0; i < names.length; i++) {
            int block = i;
            store.add(names[i] + ".weight", rowBlock(w, i, out), () -> rowBlock(weight.grad(), block, out));
            store.add(names[i] + ".bias", rowBlock(b, i, out), () -> rowBlock(bias.grad(), block, out));
        }
        return new Linear(weight, bias, in, Math.toIntExact(rows), store);
    }

    /** Rows [i·rows, (i+1)·rows) of x, a view that writes through. */
    private static INDArray rowBlock(INDArray x, int i, int rows) {
        INDArrayIndex[] index = new INDArrayIndex[x.rank()];
        Arrays.fill(index, NDArrayIndex.all());
        index[0] = NDArrayIndex.interval((long) i * rows, (long) (i + 1) * rows);
        return x.get(index);
    }

    /** x: [N,in] → [N,out]; x is kept for backward and must not change before it. */
    public INDArray forward(INDArray x) {
        checkInput(x);
        return forward(x, output.array(x.dataType(), x.rows(), out));
    }

    /** As {@link #forward(INDArray)}, into the caller's dense [N,out] buffer (backward does not read it). */
    public INDArray forward(INDArray x, INDArray into) {
        checkInput(x);
        if (!packedForward(x, null, into, PackedWeight.Epilogue.NONE)) {
            input = x;
            fillWithBias(into, bias.value());
            Gemm.gemm(x, weight.value(), into, false, true, 1.0, 1.0);
        }
        return into;
    }

    /**
     * GELU(x Wᵀ + b) in one pass where the store is frozen and the weight packed ({@link PackedWeight}: GELU in the
     * product's epilogue); null elsewhere, for the caller to apply its own GELU to {@link #forward(INDArray)}.
     */
    INDArray forwardWithGelu(INDArray x) {
        checkInput(x);
        if (packed() == null) { // not frozen: no output view made for nothing
            return null;
        }
        INDArray into = output.array(x.dataType(), x.rows(), out);
        return packedForward(x, null, into, PackedWeight.Epilogue.GELU) ? into : null;
    }

    /**
     * into = x Wᵀ + b + residual in one pass where the store is frozen and the weight packed ({@link PackedWeight}:
     * the residual added in the product's epilogue, the same float addition as a separate sum); false elsewhere,
     * with nothing written, for the caller to add the residual to {@link #forward(INDArray)} itself.
     */
    boolean forwardAdding(INDArray x, INDArray residual, INDArray into) {
        checkInput(x);
        return packedForward(x, residual, into, PackedWeight.Epilogue.ADD);
    }

    /**
     * into = x Wᵀ + b with the epilogue, on the packed weight, where the store is frozen and the arrays fit it
     * ({@link PackedWeight#fits}, and for a residual {@link PackedWeight#fitsAddend}); false, with nothing written,
     * elsewhere.
     */
    private boolean packedForward(INDArray x, INDArray residual, INDArray into, PackedWeight.Epilogue epilogue) {
        PackedWeight frozen = packed();
        if (frozen == null || !frozen.fits(x, into) || residual != null && !frozen.fitsAddend(residual, into)) {
            return false;
        }
        input = x;
        frozen.forward(x, residual, into, epilogue);
        return true;
    }

    /** The packed weight of a frozen float store where oneDNN has the kernel; made at the first forward after. */
    PackedWeight packed() {
        if (packed == null && store != null && store.isFrozen() && store.dataType() == DataType.FLOAT
                && PackedWeight.available()) {
            packed = new PackedWeight(weight.value(), bias.value());
        }
        return packed;
    }

    private void checkInput(INDArray x) {
        if (x.rank() != 2 || x.columns() != in) {
            throw new IllegalArgumentException(weight.name() + ": expected input [N," + in + "], got "
                    + Arrays.toString(x.shape()));
        }
    }

    /** dy: [N,out]; adds dW = dy^T x and db = Σ_rows dy into the gradients, returns dx = dy W [N,in]. */
    public INDArray backward(INDArray dy) {
        Gemm.gemm(dy, input, weight.grad(), true, false, 1.0, 1.0);
        kernels.addColumnSums(dy, bias.grad());
        INDArray dx = inputGrad.array(dy.dataType(), dy.rows(), in);
        Gemm.gemm(dy, weight.value(), dx, false, false, 1.0, 0.0);
        return dx;
    }

    /**
     * Copies the bias [out] into every row of output [N,out], for a gemm to accumulate x·Wᵀ onto (beta = 1): one
     * pass over the output. An ND4J broadcast cost more than the gemm on these shapes, and a rank-1 gemm (ones · b)
     * two passes, as BLAS zeroes C for beta = 0 before its K = 1 product.
     */
    public static void fillWithBias(INDArray output, INDArray bias) {
        int width = (int) output.columns();
        FlatView b = FlatView.of(FlatView.plain(bias));
        FlatView y = FlatView.of(output);
        // rows split over the kernel threads: on one, the other waited out this pass
        Parallel.forRange((int) output.rows(), 1, Math.max(1, Parallel.minElementsPerThread() / width), (from, to) -> {
            for (int r = from; r < to; r++) {
                b.copyTo(0, y, r * width, width);
            }
        });
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }
}
