package dev.minibert.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The safetensors format (HF): an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and [begin,end) byte range in the data that follows. F32 and F64 only.
 * Every field is validated before any byte is trusted; writes are atomic.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {
    }

    /** Tensors in file order. */
    public static Map<String, INDArray> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = header(file, ch);
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (Entry e : header.entries) {
                ByteBuffer bytes = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(file, ch, bytes, header.dataStart + e.begin);
                bytes.flip();
                out.put(e.name, toArray(e, bytes));
            }
            return out;
        }
    }

    /** The {@code __metadata__} string map (empty when absent). */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(file, ch).metadata;
        }
    }

    /** Writes F32 (F64 for DOUBLE arrays) tensors in the given order; temp file + fsync + atomic rename. */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        List<INDArray> ordered = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray a = e.getValue();
            if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE) {
                a = a.castTo(DataType.FLOAT);
            }
            long bytes = a.length() * a.dataType().width();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", a.dataType() == DataType.DOUBLE ? "F64" : "F32");
            var shape = t.putArray("shape");
            for (long d : a.shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
            ordered.add(a);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // aligned like the reference writers, padded with spaces
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(head);
            for (INDArray a : ordered) {
                writeData(out, a);
            }
        });
    }

    private static void writeData(OutputStream out, INDArray a) throws IOException {
        INDArray c = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
        int width = c.dataType().width();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(c.length() * width, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
        long n = c.length();
        if (c.dataType() == DataType.DOUBLE) {
            double[] v = c.data().asDouble();
            for (long i = 0; i < n; i++) {
                if (buf.remaining() < width) {
                    flush(out, buf);
                }
                buf.putDouble(v[(int) i]);
            }
        } else {
            float[] v = c.data().asFloat();
            for (long i = 0; i < n; i++) {
                if (buf.remaining() < width) {
                    flush(out, buf);
                }
                buf.putFloat(v[(int) i]);
            }
        }
        flush(out, buf);
    }

    private static void flush(OutputStream out, ByteBuffer buf) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    private record Entry(String name, DataType type, long[] shape, long begin, long end) {
    }

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {
    }

    private static Header header(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw bad(file, "file of " + size + " bytes is too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
            throw bad(file, "header length " + headerLen + " is outside the file (" + size + " bytes)");
        }
        ByteBuffer headBuf = ByteBuffer.allocate((int) headerLen);
        readFully(file, ch, headBuf, 8);
        JsonNode root;
        try {
            root = JSON.readTree(new String(headBuf.array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw bad(file, "header is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode t = f.getValue();
            if (name.equals("__metadata__")) {
                t.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            entries.add(entry(file, name, t, dataSize));
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort((a, b) -> Long.compare(a.begin, b.begin));
        for (int i = 1; i < byOffset.size(); i++) {
            if (byOffset.get(i).begin < byOffset.get(i - 1).end) {
                throw bad(file, "tensors " + byOffset.get(i - 1).name + " and " + byOffset.get(i).name + " overlap");
            }
        }
        return new Header(entries, metadata, dataStart);
    }

    private static Entry entry(Path file, String name, JsonNode t, long dataSize) throws IOException {
        JsonNode dtype = t.get("dtype");
        JsonNode shape = t.get("shape");
        JsonNode offsets = t.get("data_offsets");
        if (dtype == null || shape == null || !shape.isArray() || offsets == null || !offsets.isArray()
                || offsets.size() != 2) {
            throw bad(file, "tensor " + name + ": needs dtype, shape and data_offsets [begin, end]");
        }
        DataType type = switch (dtype.asText()) {
            case "F32" -> DataType.FLOAT;
            case "F64" -> DataType.DOUBLE;
            default -> throw bad(file, "tensor " + name + ": dtype " + dtype.asText() + " is not supported (F32, F64)");
        };
        long[] dims = new long[shape.size()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (!shape.get(i).canConvertToLong() || shape.get(i).asLong() < 0) {
                throw bad(file, "tensor " + name + ": invalid shape " + shape);
            }
            dims[i] = shape.get(i).asLong();
            count = Math.multiplyExact(count, dims[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw bad(file, "tensor " + name + ": data_offsets [" + begin + ", " + end + "] outside the "
                    + dataSize + " data bytes (truncated file?)");
        }
        if (end - begin != count * type.width()) {
            throw bad(file, "tensor " + name + ": " + (end - begin) + " bytes for shape " + Arrays.toString(dims)
                    + " of " + dtype.asText() + " (expected " + count * type.width() + ")");
        }
        return new Entry(name, type, dims, begin, end);
    }

    private static INDArray toArray(Entry e, ByteBuffer bytes) {
        long n = (e.end - e.begin) / e.type.width();
        INDArray a;
        if (e.type == DataType.DOUBLE) {
            double[] v = new double[(int) n];
            bytes.asDoubleBuffer().get(v);
            a = Nd4j.createFromArray(v);
        } else {
            float[] v = new float[(int) n];
            bytes.asFloatBuffer().get(v);
            a = Nd4j.createFromArray(v);
        }
        return a.reshape('c', e.shape);
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw bad(file, "unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static IOException bad(Path file, String problem) {
        return new IOException(file + ": invalid safetensors file: " + problem);
    }
}
