package dev.minibert.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.MemoryBudget;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor
 * name to {@code dtype}, {@code shape} and {@code data_offsets} (relative to the data region), then the
 * raw little-endian tensor bytes. Reads and writes F32, F64 and I64 (HF BERT checkpoints carry an int64
 * {@code position_ids} buffer). A hostile header (oversized, deep, overlapping, out of range, or asking for more
 * than one Java array or ND4J's off-heap memory holds) is refused naming the file before anything is allocated.
 */
public final class SafeTensors {
    /** The reference implementation's cap: a larger header is a corrupt or hostile file. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** BERT's tensors have at most two dimensions; a deeper shape is not a model this project wrote or reads. */
    static final int MAX_RANK = 8;
    /** Empty tensors cost no data bytes, so only this bound keeps a 100 MB header from asking for millions. */
    static final int MAX_EMPTY_TENSORS = 1024;
    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {
    }

    private enum Dtype {
        F32(DataType.FLOAT, 4), F64(DataType.DOUBLE, 8), I64(DataType.LONG, 8);

        final DataType dataType;
        final int bytes;

        Dtype(DataType dataType, int bytes) {
            this.dataType = dataType;
            this.bytes = bytes;
        }
    }

    private record Entry(String name, Dtype dtype, long[] shape, long begin, long end) {
    }

    private record Header(long dataStart, List<Entry> entries, Map<String, String> metadata) {
    }

    /** Every tensor of the file, in file order. */
    public static Map<String, INDArray> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, ch);
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (Entry e : header.entries()) {
                out.put(e.name(), readTensor(ch, header.dataStart(), e));
            }
            return out;
        }
    }

    /** The string map under {@code __metadata__}; empty when the file has none. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch).metadata();
        }
    }

    private static INDArray readTensor(FileChannel ch, long dataStart, Entry e) throws IOException {
        long length = e.end() - e.begin();
        if (length == 0) {
            return Nd4j.create(e.dtype().dataType, e.shape());
        }
        // One mapping per tensor: no whole-file byte[] and no 2 GB limit on the file.
        ByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), length)
                .order(ByteOrder.LITTLE_ENDIAN);
        INDArray a = switch (e.dtype()) {
            // copied from the mapping straight into the array's memory: a float[] first put the whole tensor on the
            // Java heap too, which grew the heap for good by the word embeddings' size (#24)
            case F32 -> {
                INDArray v = Nd4j.createUninitialized(DataType.FLOAT, length / 4);
                v.data().asNioFloat().put(bytes.asFloatBuffer());
                yield v;
            }
            case F64 -> {
                INDArray v = Nd4j.createUninitialized(DataType.DOUBLE, length / 8);
                v.data().asNioDouble().put(bytes.asDoubleBuffer());
                yield v;
            }
            case I64 -> {
                long[] v = new long[(int) (length / 8)];
                bytes.asLongBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
        };
        return a.reshape('c', e.shape());
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new IOException(file + ": truncated: " + fileSize + " bytes, no room for the 8-byte header length");
        }
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0);
        long headerLength = len.flip().getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw new IOException(file + ": header length " + Long.toUnsignedString(headerLength)
                    + " is outside [2, " + MAX_HEADER_BYTES + "]");
        }
        if (8 + headerLength > fileSize) {
            throw new IOException(file + ": truncated: header length " + headerLength
                    + " exceeds the " + (fileSize - 8) + " bytes after the length field");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
        readFully(ch, hb, 8);
        JsonNode root;
        try {
            root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": header must be a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataSize = fileSize - dataStart;
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals(METADATA)) {
                readMetadata(file, f.getValue(), metadata);
            } else {
                entries.add(entry(file, f.getKey(), f.getValue(), dataSize));
            }
        }
        checkNoOverlap(file, entries);
        checkBudget(file, entries);
        return new Header(dataStart, entries, Map.copyOf(metadata));
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> into) throws IOException {
        if (!node.isObject()) {
            throw new IOException(file + ": " + METADATA + " must be an object of strings");
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw new IOException(file + ": " + METADATA + " value of \"" + m.getKey() + "\" is not a string");
            }
            into.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataSize) throws IOException {
        String where = file + ": tensor \"" + name + "\": ";
        if (!node.isObject()) {
            throw new IOException(where + "entry must be an object, got " + node);
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new IOException(where + "missing string \"dtype\"");
        }
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw new IOException(where + "unsupported dtype \"" + dtypeNode.textValue() + "\" (supported: F32, F64, I64)");
        }
        long[] shape = longs(where, node.get("shape"), "shape", -1);
        if (shape.length > MAX_RANK) {
            throw new IOException(where + "rank " + shape.length + " is over the limit of " + MAX_RANK);
        }
        for (long d : shape) {
            if (d > Integer.MAX_VALUE) {
                throw new IOException(where + "dimension " + d + " of shape " + Arrays.toString(shape)
                        + " is over the limit of " + Integer.MAX_VALUE);
            }
        }
        long[] offsets = longs(where, node.get("data_offsets"), "data_offsets", 2);
        long bytes;
        try {
            long elements = 1;
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = Math.multiplyExact(elements, (long) dtype.bytes);
        } catch (ArithmeticException e) {
            throw new IOException(where + "shape " + Arrays.toString(shape) + " overflows");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataSize) {
            throw new IOException(where + "data_offsets [" + begin + ", " + end
                    + "] out of range of the " + dataSize + "-byte data region (file truncated?)");
        }
        if (end - begin != bytes) {
            throw new IOException(where + "data_offsets span " + (end - begin) + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + bytes);
        }
        try {
            MemoryBudget.checkTensor(file + ": tensor \"" + name + "\"", bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] longs(String where, JsonNode node, String key, int requiredLength) throws IOException {
        if (node == null || !node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
            throw new IOException(where + "\"" + key + "\" must be an array"
                    + (requiredLength >= 0 ? " of " + requiredLength : "") + " of non-negative integers, got " + node);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new IOException(where + "\"" + key + "\" must hold non-negative integers, got " + node);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static void checkNoOverlap(Path file, List<Entry> entries) throws IOException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry prev = sorted.get(i - 1);
            Entry cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new IOException(file + ": tensors \"" + prev.name() + "\" [" + prev.begin() + ", " + prev.end()
                        + "] and \"" + cur.name() + "\" [" + cur.begin() + ", " + cur.end() + "] overlap");
            }
        }
    }

    /** Before anything is allocated: the empty tensors are few and all of them fit ND4J's off-heap memory. */
    private static void checkBudget(Path file, List<Entry> entries) throws IOException {
        long empty = entries.stream().filter(e -> e.begin() == e.end()).count();
        if (empty > MAX_EMPTY_TENSORS) {
            throw new IOException(file + ": " + empty + " empty tensors, over the limit of " + MAX_EMPTY_TENSORS);
        }
        // no overflow: the entries are disjoint ranges of the data region
        long total = entries.stream().mapToLong(e -> e.end() - e.begin()).sum();
        try {
            MemoryBudget.checkOffHeap(file + ": the " + entries.size() + " tensors", total);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /**
     * Writes FLOAT arrays as F32, DOUBLE as F64 and LONG as I64, in map order, with the header padded with
     * spaces to a multiple of 8 bytes like the reference writer. Atomic: a temp file in the same
     * directory is fsynced and then renamed over {@code file}.
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA);
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
            if (t.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("\"" + METADATA + "\" is reserved and cannot name a tensor");
            }
            INDArray a = t.getValue();
            Dtype dtype = switch (a.dataType()) {
                case FLOAT -> Dtype.F32;
                case DOUBLE -> Dtype.F64;
                case LONG -> Dtype.I64;
                default -> throw new IllegalArgumentException("tensor \"" + t.getKey() + "\": cannot write "
                        + a.dataType() + ", only FLOAT, DOUBLE and LONG");
            };
            long bytes = Math.multiplyExact(a.length(), (long) dtype.bytes);
            MemoryBudget.checkTensor("tensor \"" + t.getKey() + "\"", bytes); // written through one ByteBuffer
            ObjectNode e = header.putObject(t.getKey());
            e.put("dtype", dtype.name());
            ArrayNode shape = e.putArray("shape");
            for (long d : a.shape()) {
                shape.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] h = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(h);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicFiles.write(file, ch -> {
            writeFully(ch, head);
            for (INDArray a : tensors.values()) {
                writeFully(ch, littleEndianBytes(a));
            }
        });
    }

    private static ByteBuffer littleEndianBytes(INDArray a) {
        // dup('c') gives a dense row-major copy whatever the source's view, offset or ordering.
        INDArray dense = a.dup('c');
        ByteBuffer buf = ByteBuffer.allocate((int) (dense.length() * dense.dataType().width()))
                .order(ByteOrder.LITTLE_ENDIAN);
        switch (dense.dataType()) {
            case FLOAT -> buf.asFloatBuffer().put(dense.data().asFloat(), 0, (int) dense.length());
            case DOUBLE -> buf.asDoubleBuffer().put(dense.data().asDouble(), 0, (int) dense.length());
            default -> buf.asLongBuffer().put(dense.data().asLong(), 0, (int) dense.length());
        }
        return buf;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
