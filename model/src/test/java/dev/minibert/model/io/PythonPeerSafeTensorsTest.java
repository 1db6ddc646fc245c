package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.TorchPeer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Interop with the PyTorch peer's own safetensors code; skipped where python3 cannot import torch. */
class PythonPeerSafeTensorsTest {
    private static Path peers;

    @TempDir
    Path dir;

    @BeforeAll
    static void findPeerAndTorch() {
        peers = TorchPeer.assumeAvailable();
    }

    @Test
    void readsWhatThePythonPeerWrites() throws Exception {
        Path file = dir.resolve("peer.safetensors");
        Path bits = dir.resolve("bits.json");
        runPeer("write", file, bits);

        Map<String, INDArray> tensors = SafeTensors.read(file);

        Map<String, JsonNode> expected = expectations(bits);
        assertThat(tensors.keySet()).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
            INDArray t = tensors.get(e.getKey());
            assertThat(t.shape()).as(e.getKey()).containsExactly(longs(e.getValue().get("shape")));
            assertThat(SafeTensorsTest.floatBits(t)).as(e.getKey()).containsExactly(ints(e.getValue().get("bits")));
        }
    }

    @Test
    void thePythonPeerReadsWhatWeWrite() throws Exception {
        float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -0f, 1f / 3};
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("bert.embeddings.word_embeddings.weight",
                Nd4j.rand(DataType.FLOAT, 5, 3).subi(0.5).muli(4));
        tensors.put("bert.embeddings.LayerNorm.weight", Nd4j.create(special, new long[] {5}, DataType.FLOAT));
        Path file = dir.resolve("ours.safetensors");
        SafeTensors.write(file, tensors, Map.of("format", "pt"));
        Path bits = dir.resolve("bits.json");

        runPeer("read", file, bits);

        Map<String, JsonNode> seen = expectations(bits);
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(tensors.keySet());
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            JsonNode s = seen.get(e.getKey());
            assertThat(longs(s.get("shape"))).as(e.getKey()).containsExactly(e.getValue().shape());
            assertThat(ints(s.get("bits"))).as(e.getKey()).containsExactly(SafeTensorsTest.floatBits(e.getValue()));
        }
    }

    private void runPeer(String mode, Path tensors, Path bits) throws Exception {
        Path script = dir.resolve("safetensors_peer.py");
        try (InputStream in = getClass().getResourceAsStream("safetensors_peer.py")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder(TorchPeer.PYTHON, script.toString(), peers.toString(), mode, tensors.toString(),
                bits.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static Map<String, JsonNode> expectations(Path bits) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        new ObjectMapper().readTree(bits.toFile()).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static long[] longs(JsonNode array) {
        List<Long> l = new ArrayList<>();
        array.forEach(v -> l.add(v.longValue()));
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    private static int[] ints(JsonNode array) {
        List<Integer> l = new ArrayList<>();
        array.forEach(v -> l.add(v.intValue()));
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
