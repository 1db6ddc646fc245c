package dev.minibert.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/** Builds an ONNX graph node by node: each op gets a fresh output name, which the next op takes as input. */
final class OnnxGraph {
    private final Onnx.GraphProto.Builder graph;
    private int next;

    OnnxGraph(String name) {
        this.graph = Onnx.GraphProto.newBuilder().setName(name);
    }

    /** An op with one output and no attributes; returns the output's name. */
    String op(String type, String... inputs) {
        return op(type, node -> { }, inputs);
    }

    /** An op with one output; {@code attributes} adds them to the node. */
    String op(String type, Consumer<Onnx.NodeProto.Builder> attributes, String... inputs) {
        String output = type + "_" + next++;
        Onnx.NodeProto.Builder node = Onnx.NodeProto.newBuilder().setOpType(type).setName(output + "_node")
                .addOutput(output);
        for (String in : inputs) {
            node.addInput(in);
        }
        attributes.accept(node);
        graph.addNode(node);
        return output;
    }

    static Consumer<Onnx.NodeProto.Builder> ints(String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return node -> node.addAttribute(a);
    }

    static Consumer<Onnx.NodeProto.Builder> integer(String name, long value) {
        return node -> node.addAttribute(Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INT).setI(value));
    }

    /** A float32 initializer holding {@code values} bit for bit (raw little-endian data, C order). */
    String weight(String name, INDArray values) {
        INDArray c = values.castTo(DataType.FLOAT).dup('c');
        float[] floats = c.data().asFloat();
        ByteBuffer bytes = ByteBuffer.allocate(floats.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(floats);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : c.shape()) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** An anonymous float32 scalar. */
    String scalar(float value) {
        return constant(Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(value));
    }

    /** An anonymous int64 vector (shapes, axes, slice bounds). */
    String longs(long... values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return constant(t);
    }

    /** An anonymous int64 scalar (a Gather index that drops the axis). */
    String longScalar(long value) {
        return constant(Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.INT64_VALUE)
                .addInt64Data(value));
    }

    private String constant(Onnx.TensorProto.Builder tensor) {
        String name = "const_" + next++;
        graph.addInitializer(tensor.setName(name));
        return name;
    }

    /** A graph input; each dim is a Long (fixed) or a String (a named dynamic axis). */
    void input(String name, int elementType, Object... dims) {
        graph.addInput(valueInfo(name, elementType, dims));
    }

    /** Publishes {@code value} as the graph output {@code name}. */
    void output(String name, String value, Object... dims) {
        graph.addNode(Onnx.NodeProto.newBuilder().setOpType("Identity").setName(name + "_node").addInput(value)
                .addOutput(name));
        graph.addOutput(valueInfo(name, Onnx.TensorProto.DataType.FLOAT_VALUE, dims));
    }

    Onnx.GraphProto build() {
        return graph.build();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, int elementType, Object... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            Onnx.TensorShapeProto.Dimension.Builder dim = Onnx.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String param) {
                dim.setDimParam(param);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(elementType).setShape(shape))).build();
    }
}
