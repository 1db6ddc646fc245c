package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static final float[] SPECIAL_FLOATS = {
        Float.NaN, Float.intBitsToFloat(0x7FC00123), Float.intBitsToFloat(0xFFC00001), Float.intBitsToFloat(0x7F800001),
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.intBitsToFloat(0x007FFFFF), Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f / 3, -2.5e-20f,
        12345.678f, 1f, -1f, 7e-39f,
    };

    @Test
    void floatRoundTripIsBitExactIncludingNanInfAndSubnormals() throws IOException {
        INDArray a = Nd4j.create(SPECIAL_FLOATS, new long[] {4, 5}, DataType.FLOAT);
        Path file = dir.resolve("f.safetensors");
        SafeTensors.write(file, Map.of("special", a), Map.of());

        INDArray back = SafeTensors.read(file).get("special");

        assertThat(back.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(back.shape()).containsExactly(4, 5);
        int[] want = new int[SPECIAL_FLOATS.length];
        for (int i = 0; i < want.length; i++) {
            want[i] = Float.floatToRawIntBits(SPECIAL_FLOATS[i]);
        }
        assertThat(floatBits(back)).containsExactly(want);
    }

    @Test
    void doubleRoundTripIsBitExact() throws IOException {
        double[] v = {Double.NaN, Double.longBitsToDouble(0x7FF0000000000001L), Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, Math.PI, 1e-310};
        INDArray a = Nd4j.create(v, new long[] {2, 5}, DataType.DOUBLE);
        Path file = dir.resolve("d.safetensors");
        SafeTensors.write(file, Map.of("d", a), Map.of());

        INDArray back = SafeTensors.read(file).get("d");

        assertThat(back.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(back.shape()).containsExactly(2, 5);
        long[] got = Arrays.stream(back.data().asDouble()).mapToLong(Double::doubleToRawLongBits).toArray();
        long[] want = Arrays.stream(v).mapToLong(Double::doubleToRawLongBits).toArray();
        assertThat(got).containsExactly(want);
    }

    @Test
    void keepsOrderMetadataAndWritesViewsAsRowMajor() throws IOException {
        INDArray base = Nd4j.arange(6).castTo(DataType.FLOAT).reshape(2, 3);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("z.last.first", Nd4j.scalar(DataType.FLOAT, 7f));
        tensors.put("transposed", base.transpose());
        tensors.put("a.row", base.getRow(1));
        Path file = dir.resolve("m.safetensors");
        SafeTensors.write(file, tensors, Map.of("format", "pt", "step", "3"));

        Map<String, INDArray> back = SafeTensors.read(file);

        assertThat(back.keySet()).containsExactly("z.last.first", "transposed", "a.row");
        assertThat(back.get("z.last.first").shape()).isEmpty();
        assertThat(back.get("z.last.first").getFloat(0)).isEqualTo(7f);
        assertThat(back.get("transposed").shape()).containsExactly(3, 2);
        assertThat(floatsOf(back.get("transposed"))).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(floatsOf(back.get("a.row"))).containsExactly(3, 4, 5);
        assertThat(SafeTensors.metadata(file)).containsExactlyInAnyOrderEntriesOf(Map.of("format", "pt", "step", "3"));
        assertThat(Files.size(file) - 8 - headerLength(file)).isEqualTo((1 + 6 + 3) * 4);
        assertThat(headerLength(file) % 8).isZero();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void readsAFileWrittenByHandLikeThePythonReference() throws IOException {
        // bytes laid out exactly as torch_bert.save_safetensors does, with Python's json.dumps spacing
        ByteBuffer data = ByteBuffer.allocate(6 * 4 + 3 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : new float[] {0.5f, -1.25f, 3f, 1e-3f, -0f, 42f}) {
            data.putFloat(f);
        }
        for (long l : new long[] {0, 1, 2}) {
            data.putLong(l);
        }
        String header = "{\"__metadata__\": {\"format\": \"pt\"}, "
                + "\"bert.pooler.dense.weight\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]}, "
                + "\"bert.embeddings.position_ids\": {\"dtype\": \"I64\", \"shape\": [1, 3], \"data_offsets\": [24, 48]}}";
        Path file = dir.resolve("hand.safetensors");
        Files.write(file, fileBytes(header, data.array()));

        Map<String, INDArray> t = SafeTensors.read(file);

        assertThat(t.keySet()).containsExactly("bert.pooler.dense.weight", "bert.embeddings.position_ids");
        INDArray w = t.get("bert.pooler.dense.weight");
        assertThat(w.shape()).containsExactly(2, 3);
        assertThat(w.getFloat(0, 1)).isEqualTo(-1.25f);
        assertThat(w.getFloat(1, 0)).isEqualTo(1e-3f);
        assertThat(w.getFloat(1, 2)).isEqualTo(42f);
        INDArray ids = t.get("bert.embeddings.position_ids");
        assertThat(ids.dataType()).isEqualTo(DataType.LONG);
        assertThat(ids.shape()).containsExactly(1, 3);
        assertThat(ids.getLong(0, 2)).isEqualTo(2L);
        assertThat(SafeTensors.metadata(file)).containsExactly(Map.entry("format", "pt"));
    }

    static Stream<Arguments> malformed() {
        String ok = "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}";
        byte[] eight = new byte[8];
        return Stream.of(
                Arguments.of("shorter than the length field", new byte[] {1, 0, 0}, "truncated"),
                Arguments.of("header length beyond the file", withLength(1000, ok, eight), "truncated: header length 1000"),
                Arguments.of("header length over 100 MB", withLength(200L * 1024 * 1024, ok, eight), "outside [2,"),
                Arguments.of("negative header length", withLength(-5, ok, eight), "outside [2,"),
                Arguments.of("bad JSON", fileBytes("{\"w\": {\"dtype\": ", eight), "not valid JSON"),
                Arguments.of("header not an object", fileBytes("[1, 2]", eight), "must be a JSON object"),
                Arguments.of("unknown dtype", fileBytes(ok.replace("F32", "BF16"), eight),
                        "tensor \"w\": unsupported dtype \"BF16\""),
                Arguments.of("missing shape", fileBytes("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 8]}}", eight),
                        "tensor \"w\": \"shape\" must be"),
                Arguments.of("negative dimension", fileBytes(ok.replace("[2]", "[-2]"), eight),
                        "tensor \"w\": \"shape\" must hold non-negative"),
                Arguments.of("missing data_offsets", fileBytes("{\"w\": {\"dtype\": \"F32\", \"shape\": [2]}}", eight),
                        "tensor \"w\": \"data_offsets\" must be"),
                Arguments.of("offsets beyond the data", fileBytes(ok.replace("[0, 8]", "[0, 16]").replace("[2]", "[4]"), eight),
                        "tensor \"w\": data_offsets [0, 16] out of range of the 8-byte data region"),
                Arguments.of("truncated data", fileBytes(ok, new byte[5]), "tensor \"w\": data_offsets [0, 8] out of range"),
                Arguments.of("reversed offsets", fileBytes(ok.replace("[0, 8]", "[8, 0]"), eight), "out of range"),
                Arguments.of("size not matching shape", fileBytes(ok.replace("[2]", "[3]"), eight),
                        "tensor \"w\": data_offsets span 8 bytes but shape [3] of F32 needs 12"),
                Arguments.of("overlapping tensors", fileBytes("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                        + " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", eight),
                        "tensors \"a\" [0, 8] and \"b\" [4, 8] overlap"),
                Arguments.of("metadata not strings", fileBytes("{\"__metadata__\": {\"step\": 3}}", new byte[0]),
                        "__metadata__ value of \"step\" is not a string"),
                Arguments.of("rank over the bound", fileBytes(ok.replace("[2]", "[1, 1, 1, 1, 1, 1, 1, 1, 2]"), eight),
                        "tensor \"w\": rank 9 is over the limit of 8"),
                Arguments.of("a dimension over int beside a zero", fileBytes("{\"w\": {\"dtype\": \"F32\","
                        + " \"shape\": [0, 4294967296], \"data_offsets\": [0, 0]}}", new byte[0]),
                        "tensor \"w\": dimension 4294967296 of shape [0, 4294967296] is over the limit of 2147483647"),
                Arguments.of("shape product overflowing a long", fileBytes(ok.replace("[2]", "[2147483647, 2147483647, 4]"),
                        eight), "tensor \"w\": shape [2147483647, 2147483647, 4] overflows"),
                Arguments.of("too many empty tensors", fileBytes(emptyTensors(SafeTensors.MAX_EMPTY_TENSORS + 1),
                        new byte[0]), "1025 empty tensors, over the limit of 1024"));
    }

    private static String emptyTensors(int n) {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            h.append(i == 0 ? "" : ", ").append("\"t").append(i).append("\": {\"dtype\": \"F32\", \"shape\": [0],"
                    + " \"data_offsets\": [0, 0]}");
        }
        return h.append('}').toString();
    }

    @Test
    void aThousandEmptyTensorsAreStillRead() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        Files.write(file, fileBytes(emptyTensors(SafeTensors.MAX_EMPTY_TENSORS), new byte[0]));
        Map<String, INDArray> t = SafeTensors.read(file);
        assertThat(t).hasSize(SafeTensors.MAX_EMPTY_TENSORS);
        assertThat(t.get("t7").shape()).containsExactly(0);
    }

    /** A sparse file: the size is real to the reader, yet takes no disk and nothing is read from it. */
    private Path sparse(String name, String header, long dataBytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, fileBytes(header, new byte[0]));
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() + dataBytes);
        }
        return file;
    }

    @Test
    void aTensorOverTwoGibIsRefusedNamingItsSizeNotWrapped() throws IOException {
        long bytes = 600_000_000L * 4; // 2.4 GB: (int) of it, or mapping it, used to fail obscurely
        Path file = sparse("big.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [600000000],"
                + " \"data_offsets\": [0, " + bytes + "]}}", bytes);
        assertThatThrownBy(() -> SafeTensors.read(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ": tensor \"w\": 2400000000 bytes, over the 2147483639-byte limit of one tensor"
                        + " (a Java array)");
    }

    @Test
    void tensorsTogetherOverTheOffHeapLimitAreRefusedBeforeAnyIsRead() throws IOException {
        long each = 1L << 30; // under the per-tensor bound, but more of them than ND4J may allocate
        int n = (int) (Pointer.maxBytes() / each) + 1;
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            h.append(i == 0 ? "" : ", ").append("\"t").append(i).append("\": {\"dtype\": \"F32\", \"shape\": [")
                    .append(each / 4).append("], \"data_offsets\": [").append(i * each).append(", ")
                    .append((i + 1) * each).append("]}");
        }
        Path file = sparse("many.safetensors", h.append('}').toString(), n * each);
        assertThatThrownBy(() -> SafeTensors.read(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ": the " + n + " tensors: " + n * each + " bytes, over ND4J's off-heap limit of "
                        + Pointer.maxBytes() + " bytes (javacpp maxbytes: -Dorg.bytedeco.javacpp.maxbytes,"
                        + " by default the -Xmx heap)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMalformedFilesNamingFileAndProblem(String what, byte[] bytes, String expected) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, bytes);

        assertThatThrownBy(() -> SafeTensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining(expected);
    }

    @Test
    void refusesToWriteIntegerTensorsAndTheReservedName() {
        Path file = dir.resolve("x.safetensors");
        assertThatThrownBy(() -> SafeTensors.write(file, Map.of("ids", Nd4j.createFromArray(1, 2)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"ids\"").hasMessageContaining("INT");
        assertThatThrownBy(() -> SafeTensors.write(file, Map.of("__metadata__", Nd4j.zeros(DataType.FLOAT, 1)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThat(file).doesNotExist();
    }

    static int[] floatBits(INDArray a) {
        float[] f = a.dup('c').data().asFloat();
        return java.util.stream.IntStream.range(0, f.length).map(i -> Float.floatToRawIntBits(f[i])).toArray();
    }

    private static float[] floatsOf(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    private static long headerLength(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static byte[] fileBytes(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return withLength(h.length, header, data);
    }

    private static byte[] withLength(long length, String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(length).put(h).put(data).array();
    }
}
