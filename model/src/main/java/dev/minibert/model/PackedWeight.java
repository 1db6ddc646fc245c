package dev.minibert.model;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.lang.ref.Cleaner;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_matmul_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen {@link Linear}'s y = x·Wᵀ + b on oneDNN's matmul primitive, W reordered once into the blocked layout
 * its brgemm kernel reads (ONNX Runtime and libtorch pack their constant weights so too). {@link Gemm}'s
 * {@code dnnl_sgemm} packs op(B) again on every call: that is what this saves, most at few rows (docs/speed.md).
 * <p>
 * Rows are independent in this kernel: a row of y gets the same bits whatever the row count M and its place among
 * them (row counts from 1 to 300 at several places, N from 1 to 512, compared on AVX-512 on 2026-12-07 with a
 * throwaway probe; {@code PackedWeightTest} keeps checking it), so inference
 * stays batch-invariant without {@link BatchInvariance}'s 16-row padding. Where oneDNN has no such kernel (its f32
 * brgemm matmul needs AVX-512) {@link #available()} is false and the model keeps {@link Gemm}'s path.
 * <p>
 * A primitive is made per thread and product shape (~0.1 ms once; oneDNN caches the kernels) and serves every
 * layer's weight of that shape, all packed alike; each runs on one thread, the rows split over the kernel threads
 * and each thread's share in calls of a few fixed row counts ({@link #callRows}); {@link ThreadPrimitives} keeps
 * them.
 */
final class PackedWeight {
    private static final Cleaner CLEANER = Cleaner.create();
    /** The brgemm kernels whose row independence was measured: oneDNN's impl names for AVX-512. */
    private static final String MEASURED_KERNEL = "brg:avx512_core";
    /** The row count whose primitive chooses the packed layout. */
    private static final int PACKING_ROWS = 512;
    /**
     * Rows per primitive call. A brgemm primitive is made for one row count (oneDNN 2.5 gives a run-time count only to
     * its slower gemm kernel), so every new count made one more, kept for good (~26 KB each): a server answering
     * batches of ever new lengths grew without end (+217 MB over every count from 1 to 4,096, two weight shapes).
     * Calls therefore take counts from a fixed set: any up to {@link #EXACT_ROWS}, past that a multiple of
     * {@link #ROW_GRANULE} up to {@link #CALL_ROWS} and the remainder in a second call. Rows being independent, the
     * bits are those of one call; calls of 512 rows took 0.1–0.6% longer than one of 2048 (docs/speed.md).
     */
    static final int CALL_ROWS = 512;
    static final int EXACT_ROWS = 64;
    static final int ROW_GRANULE = 16;
    /** How many row counts a weight shape's calls can take, so how many primitives it makes per thread at most. */
    static final int ROW_COUNTS = EXACT_ROWS + (CALL_ROWS - EXACT_ROWS) / ROW_GRANULE;

    /** Per weight shape [in, out]: the primitive description that chose its packed layout (kept for good). */
    private static final Map<List<Integer>, dnnl_primitive_desc> LAYOUTS = new ConcurrentHashMap<>();

    private final int in;
    private final int out;
    private final Natives natives;

    /** weight [out,in] (rows contiguous), bias [out]: both read once, here. */
    PackedWeight(INDArray weight, INDArray bias) {
        OneDnnSgemm.singleThreaded(); // the packed layout is chosen for the one thread each primitive runs on
        this.out = (int) weight.rows();
        this.in = (int) weight.columns();
        int ldw = Gemm.leadingDimension(weight);
        if (ldw == 0 || weight.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("PackedWeight: a float weight with contiguous rows, got "
                    + weight.shapeInfoToString());
        }
        dnnl_engine engine = Engine.CPU;
        // W [out,in] row-major is the matmul's weights (K = in, N = out) with strides (1, ldw)
        dnnl_memory_desc_t user = stridedDesc(in, out, 1, ldw);
        dnnl_memory_desc_t packedDesc = packedDesc(in, out);
        this.natives = new Natives();
        CLEANER.register(this, natives);
        natives.packed = new FloatPointer(dnnl_memory_desc_get_size(packedDesc) / Float.BYTES);
        natives.weights = memory(packedDesc, engine, natives.packed);
        reorder(user, address(weight, 0), packedDesc, natives.weights, engine);
        natives.bias = new FloatPointer(Nd4j.toFlattened(bias).toFloatVector());
        natives.biasMemory = memory(biasDesc(out), engine, natives.bias);
    }

    /**
     * The packed layout of an in × out weight: the one oneDNN picks for a large product, chosen once per shape, so
     * that every weight of that shape (each layer's) is laid out alike and one primitive per row count serves them.
     */
    private static dnnl_memory_desc_t packedDesc(int in, int out) {
        dnnl_primitive_desc packing = LAYOUTS.computeIfAbsent(List.of(in, out), shape -> matmulDesc(PACKING_ROWS, in,
                out, desc(new long[] {in, out}, dnnl_format_tag_any), Engine.CPU));
        return dnnl_primitive_desc_query_md(packing, dnnl_query_weights_md, 0);
    }

    private static dnnl_memory_desc_t biasDesc(int out) {
        return desc(new long[] {1, out}, dnnl_ab);
    }

    /** Whether oneDNN runs the measured kernels here: on the CPU backend, with oneDNN as the products' library. */
    static boolean available() {
        return Availability.AVAILABLE;
    }

    /**
     * Whether x [N,in] and y [N,out] can be passed as they are: dense rows (the kernel takes no other strides; a
     * view whose rows lie apart, as the pooler's first tokens, takes {@link Gemm}'s path).
     */
    boolean fits(INDArray x, INDArray y) {
        return x.dataType() == DataType.FLOAT && y.dataType() == DataType.FLOAT && Gemm.leadingDimension(x) == in
                && Gemm.leadingDimension(y) == out;
    }

    /** What the product's epilogue does after adding the bias, while the rows are still in cache. */
    enum Epilogue {
        /** y = x·Wᵀ + b */
        NONE,
        /** y = GELU(x·Wᵀ + b), oneDNN's erf form */
        GELU,
        /** y = (x·Wᵀ + b) + r, one float addition per element: the bits of a separate residual sum */
        ADD
    }

    /** Whether r can be the {@link Epilogue#ADD} addend for output y: dense float rows, as many as y's. */
    boolean fitsAddend(INDArray r, INDArray y) {
        return r.dataType() == DataType.FLOAT && Gemm.leadingDimension(r) == out && r.rows() == y.rows();
    }

    /**
     * y = x·Wᵀ + b with the epilogue after the bias; rows split over the kernel threads. x and y as {@link #fits}
     * requires (dense rows); r, read by {@link Epilogue#ADD} only (null otherwise), as {@link #fitsAddend} requires
     * and another array than y.
     */
    void forward(INDArray x, INDArray r, INDArray y, Epilogue epilogue) {
        Parallel.forRange((int) x.rows(), 1, Gemm.minRowsPerThread(2L * in * out, true),
                (from, to) -> forwardRows(x, from, r, y, from, to - from, epilogue));
    }

    /**
     * As {@link #forward} for count rows on the calling thread: x's from row xRow, y's (and r's) from row yRow. x, r
     * and y need dense rows, not the same row counts.
     */
    void forwardRows(INDArray x, int xRow, INDArray r, INDArray y, int yRow, int count, Epilogue epilogue) {
        for (int done = 0, rows; done < count; done += rows) {
            rows = callRows(count - done);
            long xAt = (long) (xRow + done) * in;
            long yAt = (long) (yRow + done) * out;
            call(rows, epilogue).run(address(x, xAt), natives.weights, natives.biasMemory,
                    r == null ? null : address(r, yAt), address(y, yAt));
        }
    }

    /** The rows of the next call, with left rows to go: one of the {@link #ROW_COUNTS} counts. */
    static int callRows(int left) {
        if (left <= EXACT_ROWS) {
            return left;
        }
        int rows = Math.min(left, CALL_ROWS);
        return rows - rows % ROW_GRANULE;
    }

    /** This thread's primitive for a product of this many rows by a weight of this shape. */
    private Call call(int rows, Epilogue epilogue) {
        return ThreadPrimitives.get(new Shape(in, out, rows, epilogue), () -> {
            OneDnnSgemm.singleThreaded();
            dnnl_memory_desc_t src = desc(new long[] {rows, in}, dnnl_ab);
            dnnl_memory_desc_t dst = desc(new long[] {rows, out}, dnnl_ab);
            dnnl_matmul_desc_t desc = new dnnl_matmul_desc_t();
            check(dnnl_matmul_desc_init(desc, src, packedDesc(in, out), biasDesc(out), dst),
                    "dnnl_matmul_desc_init");
            // a scratchpad of each call's own: oneDNN's may be shared between primitives, and two threads run at once
            dnnl_primitive_attr attr = new dnnl_primitive_attr();
            check(dnnl_primitive_attr_create(attr), "dnnl_primitive_attr_create");
            check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
                    "dnnl_primitive_attr_set_scratchpad_mode");
            dnnl_post_ops postOps = new dnnl_post_ops();
            check(dnnl_post_ops_create(postOps), "dnnl_post_ops_create");
            if (epilogue == Epilogue.GELU) {
                check(dnnl_post_ops_append_eltwise(postOps, 1f, dnnl_eltwise_gelu_erf, 0f, 0f),
                        "dnnl_post_ops_append_eltwise");
            } else if (epilogue == Epilogue.ADD) {
                check(dnnl_post_ops_append_binary(postOps, dnnl_binary_add, dst), "dnnl_post_ops_append_binary");
            }
            check(dnnl_primitive_attr_set_post_ops(attr, postOps), "dnnl_primitive_attr_set_post_ops");
            dnnl_post_ops_destroy(postOps);
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(desc), attr, Engine.CPU, null),
                    "dnnl_primitive_desc_create");
            dnnl_primitive_attr_destroy(attr);
            String kernel = kernel(pd);
            if (!kernel.startsWith(MEASURED_KERNEL)) { // another kernel: its rows may not be independent
                throw new IllegalStateException("oneDNN picked " + kernel + " for a " + rows + "-row product with "
                        + "packed weights, not " + MEASURED_KERNEL);
            }
            dnnl_primitive primitive = new dnnl_primitive();
            check(dnnl_primitive_create(primitive, pd), "dnnl_primitive_create");
            dnnl_memory_desc_t scratchDesc = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
            long scratchBytes = dnnl_memory_desc_get_size(scratchDesc);
            dnnl_memory scratchMemory = memory(scratchDesc, Engine.CPU, null);
            check(dnnl_primitive_desc_destroy(pd), "dnnl_primitive_desc_destroy");
            dnnl_memory srcMemory = memory(src, Engine.CPU, null);
            dnnl_memory dstMemory = memory(dst, Engine.CPU, null);
            dnnl_memory addendMemory = epilogue == Epilogue.ADD ? memory(dst, Engine.CPU, null) : null;
            dnnl_exec_arg_t args = new dnnl_exec_arg_t(addendMemory == null ? 5 : 6);
            args.position(0).arg(DNNL_ARG_SRC).memory(srcMemory);
            args.position(1).arg(DNNL_ARG_WEIGHTS); // each run's layer's
            args.position(2).arg(DNNL_ARG_BIAS);
            args.position(3).arg(DNNL_ARG_DST).memory(dstMemory);
            args.position(4).arg(DNNL_ARG_SCRATCHPAD).memory(scratchMemory);
            if (addendMemory != null) { // the first post-op's second operand: DNNL_ARG_ATTR_MULTIPLE_POST_OP(0)
                args.position(5).arg(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1).memory(addendMemory);
            }
            args.position(0);
            dnnl_stream stream = new dnnl_stream();
            check(dnnl_stream_create(stream, Engine.CPU, dnnl_stream_default_flags), "dnnl_stream_create");
            return new Call(primitive, srcMemory, dstMemory, addendMemory, scratchMemory, scratchBytes, args, stream);
        });
    }

    /**
     * One thread's primitive for one product shape, with its memory objects; only that thread runs it, so the
     * arguments it rewrites before each run (input, output, scratchpad, the layer's weight and bias) are its own.
     */
    private record Call(dnnl_primitive primitive, dnnl_memory src, dnnl_memory dst, dnnl_memory addend,
                        dnnl_memory scratch, long scratchBytes, dnnl_exec_arg_t args, dnnl_stream stream)
            implements ThreadPrimitives.Primitive {
        void run(Pointer x, dnnl_memory weights, dnnl_memory bias, Pointer r, Pointer y) {
            check(dnnl_memory_set_data_handle(scratch, ThreadPrimitives.scratchpad(scratchBytes)),
                    "dnnl_memory_set_data_handle");
            check(dnnl_memory_set_data_handle(src, x), "dnnl_memory_set_data_handle");
            check(dnnl_memory_set_data_handle(dst, y), "dnnl_memory_set_data_handle");
            if (addend != null) {
                check(dnnl_memory_set_data_handle(addend, r), "dnnl_memory_set_data_handle");
            }
            args.position(1).memory(weights);
            args.position(2).memory(bias);
            check(dnnl_primitive_execute(primitive, stream, addend == null ? 5 : 6, args.position(0)),
                    "dnnl_primitive_execute");
        }

        @Override
        public void destroy() {
            dnnl_primitive_destroy(primitive);
            for (dnnl_memory memory : new dnnl_memory[] {src, dst, addend, scratch}) {
                if (memory != null) {
                    dnnl_memory_destroy(memory);
                }
            }
            dnnl_stream_destroy(stream);
            args.close();
        }
    }

    private record Shape(int in, int out, int rows, Epilogue epilogue) {
    }

    /** What the cleaner frees once the PackedWeight is unreachable (it must not refer to the PackedWeight). */
    private static final class Natives implements Runnable {
        FloatPointer packed;
        FloatPointer bias;
        dnnl_memory weights;
        dnnl_memory biasMemory;

        @Override
        public void run() {
            if (weights != null) {
                dnnl_memory_destroy(weights);
            }
            if (biasMemory != null) {
                dnnl_memory_destroy(biasMemory);
            }
            if (packed != null) {
                packed.close();
            }
            if (bias != null) {
                bias.close();
            }
        }
    }

    /**
     * x's element as a plain address: JavaCPP adds a pointer's position to a {@code void*} argument in bytes, not
     * in floats, so the position is folded into the address here.
     */
    private static Pointer address(INDArray x, long element) {
        FloatPointer at = Sgemm.at(x, element);
        long bytes = at.address() + at.position() * Float.BYTES;
        return new Pointer() {
            {
                address = bytes;
            }
        };
    }

    /** oneDNN's name of the kernel a primitive description runs, e.g. {@code brg:avx512_core}. */
    private static String kernel(dnnl_primitive_desc pd) {
        PointerPointer<BytePointer> name = new PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), "dnnl_primitive_desc_query");
        return name.getString(0);
    }

    private static void reorder(dnnl_memory_desc_t fromDesc, Pointer from, dnnl_memory_desc_t toDesc,
                                dnnl_memory to, dnnl_engine engine) {
        dnnl_memory source = memory(fromDesc, engine, from);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, fromDesc, engine, toDesc, engine, null),
                "dnnl_reorder_primitive_desc_create");
        dnnl_primitive reorder = new dnnl_primitive();
        check(dnnl_primitive_create(reorder, pd), "dnnl_primitive_create");
        dnnl_stream stream = new dnnl_stream();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "dnnl_stream_create");
        dnnl_exec_arg_t args = new dnnl_exec_arg_t(2);
        args.position(0).arg(DNNL_ARG_FROM).memory(source);
        args.position(1).arg(DNNL_ARG_TO).memory(to);
        check(dnnl_primitive_execute(reorder, stream, 2, args.position(0)), "dnnl_primitive_execute");
        check(dnnl_stream_wait(stream), "dnnl_stream_wait");
        dnnl_stream_destroy(stream);
        dnnl_primitive_destroy(reorder);
        dnnl_primitive_desc_destroy(pd);
        dnnl_memory_destroy(source);
    }

    /** The primitive for rows × k by k × n with a bias, weights as {@code weights} says. */
    private static dnnl_primitive_desc matmulDesc(int rows, int k, int n, dnnl_memory_desc_t weights,
                                                  dnnl_engine engine) {
        dnnl_matmul_desc_t desc = new dnnl_matmul_desc_t();
        check(dnnl_matmul_desc_init(desc, desc(new long[] {rows, k}, dnnl_ab), weights,
                desc(new long[] {1, n}, dnnl_ab), desc(new long[] {rows, n}, dnnl_ab)), "dnnl_matmul_desc_init");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(desc), null, engine, null),
                "dnnl_primitive_desc_create");
        return pd;
    }

    private static dnnl_memory_desc_t desc(long[] dims, int tag) {
        dnnl_memory_desc_t desc = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(desc, dims.length, dims, dnnl_f32, tag), "dnnl_memory_desc_init_by_tag");
        return desc;
    }

    private static dnnl_memory_desc_t stridedDesc(long rows, long cols, long rowStride, long colStride) {
        dnnl_memory_desc_t desc = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_strides(desc, 2, new long[] {rows, cols}, dnnl_f32,
                new long[] {rowStride, colStride}), "dnnl_memory_desc_init_by_strides");
        return desc;
    }

    private static dnnl_memory memory(dnnl_memory_desc_t desc, dnnl_engine engine, Pointer data) {
        dnnl_memory memory = new dnnl_memory();
        check(dnnl_memory_create(memory, desc, engine, data), "dnnl_memory_create");
        return memory;
    }

    private static void check(int status, String call) {
        if (status != dnnl_success) {
            throw new IllegalStateException(call + " failed with oneDNN status " + status);
        }
    }

    /** The one CPU engine, made on first use. */
    private static final class Engine {
        static final dnnl_engine CPU = create();

        private static dnnl_engine create() {
            dnnl_engine engine = new dnnl_engine();
            check(dnnl_engine_create(engine, dnnl_cpu, 0), "dnnl_engine_create");
            return engine;
        }
    }

    /** Whether a small matmul with packed weights gets the measured kernel, asked once. */
    private static final class Availability {
        static final boolean AVAILABLE = Nd4j.getEnvironment().isCPU()
                && "onednn".equals(System.getProperty(Sgemm.PROPERTY, Sgemm.LIBRARIES.get(0))) && kernelMeasured();

        private static boolean kernelMeasured() {
            OneDnnSgemm.singleThreaded();
            dnnl_primitive_desc pd = matmulDesc(16, 64, 64, desc(new long[] {64, 64}, dnnl_format_tag_any), Engine.CPU);
            String kernel = kernel(pd);
            dnnl_primitive_desc_destroy(pd);
            return kernel.startsWith(MEASURED_KERNEL);
        }
    }
}
